#include "bearer_sasl_mechanism.hpp"

#include "credentials_authenticator.hpp"
#include "tern/core/sasl_bearer.hpp"

#include "tern/core/text.hpp"

#include <vmime/security/sasl/SASLSession.hpp>

#include <algorithm>

namespace tern::mail::detail {
namespace {

// vmime frees what a mechanism returns with delete[].
void hand_over(std::string_view bytes, vmime::byte_t** out, size_t* out_length) {
    auto* copy = new vmime::byte_t[bytes.size() ? bytes.size() : 1];
    std::copy(bytes.begin(), bytes.end(), copy);
    *out = copy;
    *out_length = bytes.size();
}

}  // namespace

BearerSaslMechanism::BearerSaslMechanism(vmime::shared_ptr<vmime::security::sasl::SASLContext>,
                                         const vmime::string& name)
    : name_(ascii_upper(name)) {}

bool BearerSaslMechanism::step(vmime::shared_ptr<vmime::security::sasl::SASLSession> session,
                               const vmime::byte_t* challenge, const size_t challenge_length,
                               vmime::byte_t** response, size_t* response_length) {
    auto* auth = dynamic_cast<CredentialsAuthenticator*>(session->getAuthenticator().get());
    if (!sent_initial_) {
        sent_initial_ = true;
        complete_ = true;
        if (!auth) {  // only ever used with Tern's authenticator; fail closed otherwise
            hand_over({}, response, response_length);
            return true;
        }
        const auto& login = auth->login();
        const Secret message = name_ == "OAUTHBEARER"
                                   ? oauthbearer_client_message(login.user, auth->host(), auth->port(), login.secret)
                                   : xoauth2_client_message(login.user, login.secret);
        hand_over(message.reveal(), response, response_length);
        return true;
    }
    // A challenge after the initial response is the server's error report (JSON). Answer so the
    // server can finish with its final NO / 535.
    if (auth && challenge && challenge_length)
        auth->note_error_challenge(std::string(reinterpret_cast<const char*>(challenge), challenge_length));
    hand_over(name_ == "OAUTHBEARER" ? std::string_view("\x01", 1) : std::string_view(), response, response_length);
    return true;
}

void BearerSaslMechanism::encode(vmime::shared_ptr<vmime::security::sasl::SASLSession>, const vmime::byte_t* input,
                                 const size_t length, vmime::byte_t** output, size_t* output_length) {
    hand_over(std::string_view(reinterpret_cast<const char*>(input), length), output, output_length);
}

void BearerSaslMechanism::decode(vmime::shared_ptr<vmime::security::sasl::SASLSession>, const vmime::byte_t* input,
                                 const size_t length, vmime::byte_t** output, size_t* output_length) {
    hand_over(std::string_view(reinterpret_cast<const char*>(input), length), output, output_length);
}

}  // namespace tern::mail::detail
