// SASL XOAUTH2 and OAUTHBEARER for vmime. vmime's own XOAUTH2 answers the server's error challenge
// by sending the token again; these answer as the specifications say (an empty line for XOAUTH2,
// ^A for OAUTHBEARER, RFC 7628 §3.2.3) and keep the challenge so the error can quote it.
#pragma once

#include <vmime/security/sasl/SASLContext.hpp>
#include <vmime/security/sasl/SASLMechanism.hpp>

namespace tern::mail::detail {

class BearerSaslMechanism : public vmime::security::sasl::SASLMechanism {
public:
    BearerSaslMechanism(vmime::shared_ptr<vmime::security::sasl::SASLContext> context, const vmime::string& name);

    const vmime::string getName() const override { return name_; }
    bool step(vmime::shared_ptr<vmime::security::sasl::SASLSession> session, const vmime::byte_t* challenge,
              const size_t challenge_length, vmime::byte_t** response, size_t* response_length) override;
    bool isComplete() const override { return complete_; }
    bool hasInitialResponse() const override { return true; }
    void encode(vmime::shared_ptr<vmime::security::sasl::SASLSession>, const vmime::byte_t* input, const size_t length,
                vmime::byte_t** output, size_t* output_length) override;
    void decode(vmime::shared_ptr<vmime::security::sasl::SASLSession>, const vmime::byte_t* input, const size_t length,
                vmime::byte_t** output, size_t* output_length) override;

private:
    vmime::string name_;  // "XOAUTH2" or "OAUTHBEARER"
    bool sent_initial_ = false;
    bool complete_ = false;
};

}  // namespace tern::mail::detail
