// How an account signs in to its mail servers, as mail/ asks for it (SaslCredentials): the
// password from the credential store, or an OAuth access token from the TokenManager, refreshed
// once when a server refuses it.
#pragma once

#include "tern/auth/credential_store.hpp"
#include "tern/auth/token_manager.hpp"
#include "tern/mail/sasl_credentials.hpp"

#include <mutex>
#include <optional>
#include <string>

namespace tern::accounts {

// The credential store key of an account's password.
auth::CredentialKey password_key(const std::string& profile_id, const std::string& email);
// The credential store key of an account's OAuth refresh token.
auth::CredentialKey refresh_token_key(const std::string& profile_id, const std::string& email);

class PasswordCredentials final : public mail::SaslCredentials {
public:
    PasswordCredentials(auth::CredentialStore& store, auth::CredentialKey key, std::string user);
    // Throws AuthRejected naming `tern-cli login` when no password is stored.
    mail::SaslLogin login(const CancelToken& cancel) override;
    bool refused(const mail::SaslLogin&, const Error&) override { return false; }

private:
    auth::CredentialStore& store_;
    auth::CredentialKey key_;
    std::string user_;
};

class TokenCredentials final : public mail::SaslCredentials {
public:
    TokenCredentials(auth::TokenManager& tokens, std::string user, mail::SaslMechanism mechanism);
    mail::SaslLogin login(const CancelToken& cancel) override;
    // Refreshes after a refusal; when the refused token is the one that refresh gave, gives up.
    bool refused(const mail::SaslLogin& refused, const Error& why) override;

    // True once a server refused a token issued after the previous refusal (a fallback trigger).
    bool fresh_token_refused() const;
    // The last failure of the identity platform itself: getting a token for a sign-in, or the
    // refresh after a refusal. What the fallback policy judges (FailureSource::IdentityPlatform).
    std::optional<Error> platform_failure() const;
    // Forgets both, before a new piece of work is judged on its own.
    void clear_failures();

private:
    auth::TokenManager& tokens_;
    std::string user_;
    mail::SaslMechanism mechanism_;
    mutable std::mutex mutex_;
    Secret refreshed_token_;  // issued by the last refresh after a refusal
    bool fresh_refused_ = false;
    std::optional<Error> platform_failure_;
};

}  // namespace tern::accounts
