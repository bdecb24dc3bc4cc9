// One account's tokens over time: the refresh token lives in the credential store, the access
// token only in memory. Hands out an access token valid for at least ten more minutes, refreshing
// when needed, one refresh at a time however many connections ask (single flight).
#pragma once

#include "tern/auth/credential_store.hpp"
#include "tern/auth/token_endpoint.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>

namespace tern::auth {

inline constexpr std::chrono::minutes refresh_margin{10};

class TokenManager {
public:
    TokenManager(TokenEndpoint& endpoint, CredentialStore& store, CredentialKey refresh_token_key);

    // After a sign-in: the refresh token goes to the store first, then the grant is used.
    void adopt(TokenGrant grant);

    // An access token valid for at least refresh_margin. Throws the classified error of a failed
    // refresh, or TokenExpired when there is no refresh token (never signed in, or deleted).
    Secret access_token(const CancelToken* cancel = nullptr);

    // The mail server refused `rejected`: refresh once (unless another caller already did) and
    // return the new token.
    Secret refresh_after_rejection(const Secret& rejected, const CancelToken* cancel = nullptr);

    // Runs `attempt` with a token; when it throws AuthRejected, refreshes once and tries again. An
    // AuthRejected that escapes means the server refused a freshly issued token (a fallback trigger).
    template <typename Attempt>
    auto with_token(Attempt attempt, const CancelToken* cancel = nullptr) {
        Secret token = access_token(cancel);
        try {
            return attempt(token);
        } catch (const Error& e) {
            if (e.category() != ErrorCategory::AuthRejected) throw;
        }
        Secret fresh = refresh_after_rejection(token, cancel);
        try {
            return attempt(fresh);
        } catch (const Error& e) {
            if (e.category() != ErrorCategory::AuthRejected) throw;
            throw refused_fresh_token(e);
        }
    }

    // Forget the access token (sign-out, account removed); the stored refresh token stays.
    void forget_access_token();

private:
    Secret refresh(const CancelToken* cancel, std::unique_lock<std::mutex>& lock);
    Error refused_fresh_token(const Error& server_error) const;

    TokenEndpoint& endpoint_;
    CredentialStore& store_;
    CredentialKey key_;

    std::mutex mutex_;
    std::condition_variable refreshed_;
    bool refreshing_ = false;
    std::optional<Secret> access_token_;
    Clock::time_point expires_at_{};
    std::optional<Error> last_refresh_error_;
    unsigned generation_ = 0;  // counts refreshes, so waiters know one finished
};

}  // namespace tern::auth
