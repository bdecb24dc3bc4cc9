// vmime's view of one SaslLogin: offers vmime exactly the mechanism the login is for (never a
// weaker one the server happens to list) and remembers what the server said during the exchange.
#pragma once

#include "tern/mail/sasl_credentials.hpp"

#include <vmime/security/sasl/defaultSASLAuthenticator.hpp>

#include <mutex>
#include <string>
#include <vector>

namespace tern::mail::detail {

class CredentialsAuthenticator final : public vmime::security::sasl::defaultSASLAuthenticator {
public:
    CredentialsAuthenticator(SaslLogin login, std::string host, int port);

    const vmime::string getUsername() const override { return login_.user; }
    const vmime::string getPassword() const override;
    const vmime::string getAccessToken() const override;

    const std::vector<vmime::shared_ptr<vmime::security::sasl::SASLMechanism>> getAcceptableMechanisms(
        const std::vector<vmime::shared_ptr<vmime::security::sasl::SASLMechanism>>& available,
        vmime::shared_ptr<vmime::security::sasl::SASLMechanism> suggested) const override;

    const SaslLogin& login() const { return login_; }
    const std::string& host() const { return host_; }
    int port() const { return port_; }

    // The mechanisms the server offered, when none of them fits the login ("" otherwise).
    std::string unmatched_offer() const;
    // The server's error challenge (decoded JSON) for a refused bearer token, if it sent one.
    void note_error_challenge(std::string decoded);
    std::string error_challenge() const;

private:
    SaslLogin login_;
    std::string host_;
    int port_;
    mutable std::mutex mutex_;
    mutable std::string unmatched_offer_;
    std::string error_challenge_;
};

}  // namespace tern::mail::detail
