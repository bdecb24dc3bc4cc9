#include "tern/auth/token_manager.hpp"

#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>

namespace tern::auth {

TokenManager::TokenManager(TokenEndpoint& endpoint, CredentialStore& store, CredentialKey refresh_token_key)
    : endpoint_(endpoint), store_(store), key_(std::move(refresh_token_key)) {
    validate(key_);
}

void TokenManager::adopt(TokenGrant grant) {
    // The newest refresh token is stored before anything else uses the grant: if the store fails,
    // the sign-in fails rather than leave a token that only lives in memory.
    if (grant.refresh_token) store_.store(key_, *grant.refresh_token);
    std::lock_guard lock(mutex_);
    access_token_ = std::move(grant.access_token);
    expires_at_ = grant.expires_at;
}

Secret TokenManager::access_token(const CancelToken* cancel) {
    std::unique_lock lock(mutex_);
    if (access_token_ && endpoint_.now() + refresh_margin < expires_at_) return *access_token_;
    return refresh(cancel, lock);
}

Secret TokenManager::refresh_after_rejection(const Secret& rejected, const CancelToken* cancel) {
    std::unique_lock lock(mutex_);
    // Another connection already replaced the refused token: use the new one.
    if (access_token_ && *access_token_ != rejected && endpoint_.now() + refresh_margin < expires_at_)
        return *access_token_;
    access_token_.reset();
    return refresh(cancel, lock);
}

void TokenManager::forget_access_token() {
    std::lock_guard lock(mutex_);
    access_token_.reset();
}

Secret TokenManager::refresh(const CancelToken* cancel, std::unique_lock<std::mutex>& lock) {
    if (refreshing_) {
        // Single flight: wait for the refresh under way and share its outcome.
        const unsigned waiting_for = generation_;
        refreshed_.wait(lock, [&] { return generation_ != waiting_for; });
        if (access_token_) return *access_token_;
        if (last_refresh_error_) throw *last_refresh_error_;
    }
    refreshing_ = true;
    lock.unlock();

    std::optional<TokenGrant> grant;
    std::optional<Error> failure;
    try {
        auto stored = store_.load(key_);
        if (!stored)
            throw Error(ErrorCategory::TokenExpired,
                        "There is no sign-in for " + key_.account + " on this computer. Sign in to the account again.",
                        "no refresh token in " + store_.backend_name());
        grant = endpoint_.refresh(*stored, cancel);
        // Rotation: the old refresh token dies on the server now, so the new one is stored at once.
        if (grant->refresh_token && *grant->refresh_token != *stored) store_.store(key_, *grant->refresh_token);
    } catch (...) {
        failure = to_error(std::current_exception());
    }

    lock.lock();
    refreshing_ = false;
    ++generation_;
    if (grant) {
        access_token_ = std::move(grant->access_token);
        expires_at_ = grant->expires_at;
        last_refresh_error_.reset();
        spdlog::info("access token for {} refreshed", key_.account);
    } else {
        access_token_.reset();
        last_refresh_error_ = failure;
    }
    refreshed_.notify_all();
    if (failure) throw *failure;
    return *access_token_;
}

Error TokenManager::refused_fresh_token(const Error& server_error) const {
    return Error(ErrorCategory::AuthRejected,
                 "The mail server refused a sign-in token that Microsoft had just issued for " + key_.account + ".",
                 "fresh token refused: " + server_error.detail(), server_error.context());
}

}  // namespace tern::auth
