#include "credentials_authenticator.hpp"

#include "tern/core/text.hpp"

#include <vmime/security/sasl/SASLMechanism.hpp>

#include <algorithm>

namespace tern::mail::detail {
namespace {

// In order of preference. PLAIN before LOGIN: one round trip, and both only ever run inside TLS
// (or on a connection the person configured as "none" themselves).
std::vector<std::string> names_for(SaslMechanism mechanism) {
    switch (mechanism) {
        case SaslMechanism::Password: return {"PLAIN", "LOGIN"};
        case SaslMechanism::XOAuth2: return {"XOAUTH2"};
        case SaslMechanism::OAuthBearer: return {"OAUTHBEARER"};
    }
    return {};
}

}  // namespace

CredentialsAuthenticator::CredentialsAuthenticator(SaslLogin login, std::string host, int port)
    : login_(std::move(login)), host_(std::move(host)), port_(port) {}

const vmime::string CredentialsAuthenticator::getPassword() const {
    return login_.mechanism == SaslMechanism::Password ? std::string(login_.secret.reveal()) : std::string();
}

const vmime::string CredentialsAuthenticator::getAccessToken() const {
    return login_.mechanism == SaslMechanism::Password ? std::string() : std::string(login_.secret.reveal());
}

const std::vector<vmime::shared_ptr<vmime::security::sasl::SASLMechanism>>
CredentialsAuthenticator::getAcceptableMechanisms(
    const std::vector<vmime::shared_ptr<vmime::security::sasl::SASLMechanism>>& available,
    vmime::shared_ptr<vmime::security::sasl::SASLMechanism>) const {
    std::vector<vmime::shared_ptr<vmime::security::sasl::SASLMechanism>> chosen;
    for (const auto& name : names_for(login_.mechanism))
        for (const auto& mech : available)
            if (ascii_upper(mech->getName()) == name) chosen.push_back(mech);
    if (chosen.empty()) {
        std::string offered;
        for (const auto& mech : available) offered += (offered.empty() ? "" : " ") + ascii_upper(mech->getName());
        std::lock_guard lock(mutex_);
        unmatched_offer_ = offered.empty() ? "(none)" : offered;
    }
    return chosen;
}

std::string CredentialsAuthenticator::unmatched_offer() const {
    std::lock_guard lock(mutex_);
    return unmatched_offer_;
}

void CredentialsAuthenticator::note_error_challenge(std::string decoded) {
    std::lock_guard lock(mutex_);
    error_challenge_ = std::move(decoded);
}

std::string CredentialsAuthenticator::error_challenge() const {
    std::lock_guard lock(mutex_);
    return error_challenge_;
}

}  // namespace tern::mail::detail
