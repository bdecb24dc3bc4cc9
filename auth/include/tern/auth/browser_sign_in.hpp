// Sign-in through the system browser: authorization code + PKCE with a one-shot loopback redirect
// (RFC 8252), the way a desktop app signs in to the Microsoft identity platform.
#pragma once

#include "tern/auth/token_endpoint.hpp"
#include "tern/core/cancellation.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace tern::auth {

// Shows `url` to the person in a browser (system_browser() in the apps, a fake in tests). Throws
// tern::Error when it cannot; the message should let the person open the address themselves.
using OpenUrl = std::function<void(const std::string& url)>;

struct BrowserSignInOptions {
    std::string login_hint;  // the account's email address: the sign-in page fills it in
    std::chrono::seconds timeout{300};
};

// Opens the authorize page, waits for the redirect, checks `state`, and redeems the code.
// Throws tern::Error: Timeout, Cancelled (also when the person declines), Protocol (state
// mismatch: the code is never redeemed), the token error table's categories for an error
// redirect or a failed redemption, and whatever `open_url` or the HTTP client throws.
TokenGrant sign_in_with_browser(TokenEndpoint& endpoint, const OpenUrl& open_url, const BrowserSignInOptions& options,
                                const CancelToken* cancel);

// The authorize URL (exposed for tests and for showing it to a person who opens it by hand).
std::string authorize_url(const OAuthConfig& config, const std::string& redirect_uri, const std::string& state,
                          const std::string& code_challenge, const std::string& login_hint);

}  // namespace tern::auth
