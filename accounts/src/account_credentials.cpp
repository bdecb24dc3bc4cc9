#include "tern/accounts/account_credentials.hpp"

#include <spdlog/spdlog.h>

namespace tern::accounts {

auth::CredentialKey password_key(const std::string& profile_id, const std::string& email) {
    return {profile_id, email, "password"};
}

auth::CredentialKey refresh_token_key(const std::string& profile_id, const std::string& email) {
    return {profile_id, email, "refresh-token"};
}

PasswordCredentials::PasswordCredentials(auth::CredentialStore& store, auth::CredentialKey key, std::string user)
    : store_(store), key_(std::move(key)), user_(std::move(user)) {}

mail::SaslLogin PasswordCredentials::login(const CancelToken&) {
    auto password = store_.load(key_);
    if (!password)
        throw Error(ErrorCategory::AuthRejected,
                    "No password is stored for " + key_.account + ". Enter it with: tern-cli login " + key_.account,
                    "no " + key_.kind + " in " + store_.backend_name());
    return {mail::SaslMechanism::Password, user_, std::move(*password)};
}

TokenCredentials::TokenCredentials(auth::TokenManager& tokens, std::string user, mail::SaslMechanism mechanism)
    : tokens_(tokens), user_(std::move(user)), mechanism_(mechanism) {}

mail::SaslLogin TokenCredentials::login(const CancelToken& cancel) {
    try {
        return {mechanism_, user_, tokens_.access_token(&cancel)};
    } catch (const Error& e) {
        std::lock_guard lock(mutex_);
        platform_failure_ = e;
        throw;
    }
}

bool TokenCredentials::refused(const mail::SaslLogin& refused, const Error& why) {
    std::lock_guard lock(mutex_);
    if (!refreshed_token_.empty() && refused.secret == refreshed_token_) {
        fresh_refused_ = true;
        spdlog::warn("the server refused a freshly issued token for {}: {}", user_, why.log_line());
        return false;
    }
    try {
        refreshed_token_ = tokens_.refresh_after_rejection(refused.secret);
        return true;
    } catch (const Error& e) {
        platform_failure_ = e;
        return false;
    }
}

bool TokenCredentials::fresh_token_refused() const {
    std::lock_guard lock(mutex_);
    return fresh_refused_;
}

std::optional<Error> TokenCredentials::platform_failure() const {
    std::lock_guard lock(mutex_);
    return platform_failure_;
}

void TokenCredentials::clear_failures() {
    std::lock_guard lock(mutex_);
    fresh_refused_ = false;
    platform_failure_.reset();
}

}  // namespace tern::accounts
