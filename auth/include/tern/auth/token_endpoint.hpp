// Talks to one identity platform's token and device code endpoints for one app (client id):
// builds the form posts, parses grants, and classifies every error through the one table.
#pragma once

#include "tern/auth/http_client.hpp"
#include "tern/auth/oauth_config.hpp"
#include "tern/auth/token_error_table.hpp"
#include "tern/auth/token_response.hpp"

#include <chrono>
#include <functional>
#include <variant>

namespace tern::auth {

// What the device code endpoint hands out (RFC 8628 §3.2).
struct DeviceAuthorization {
    Secret device_code;
    std::string user_code;
    std::string verification_uri;
    std::string message;  // Microsoft's ready-made sentence for the person
    Clock::time_point expires_at;
    std::chrono::seconds interval{5};
};

// One poll of the token endpoint with a device code.
struct PollPending {};   // authorization_pending
struct PollSlowDown {};  // slow_down: add 5 seconds to the interval
using DevicePoll = std::variant<TokenGrant, PollPending, PollSlowDown>;

class TokenEndpoint {
public:
    TokenEndpoint(HttpClient& http, OAuthConfig config, std::string account,
                  std::function<Clock::time_point()> now = Clock::now);

    TokenGrant redeem_code(const std::string& code, const std::string& redirect_uri, const std::string& verifier,
                           const CancelToken* cancel);
    TokenGrant refresh(const Secret& refresh_token, const CancelToken* cancel);
    DeviceAuthorization request_device_code(const CancelToken* cancel);
    DevicePoll poll_device_code(const DeviceAuthorization& authorization, const CancelToken* cancel);

    // How long one request may take in all (default 30 s); tests of a silent platform shorten it.
    void set_request_timeout(std::chrono::milliseconds timeout) { request_timeout_ = timeout; }

    const OAuthConfig& config() const { return config_; }
    Clock::time_point now() const { return now_(); }

private:
    HttpResponse post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& form,
                      const CancelToken* cancel);
    TokenGrant grant_or_throw(const HttpResponse& response);
    [[noreturn]] void throw_classified(const TokenEndpointError& error) const;

    HttpClient& http_;
    OAuthConfig config_;
    TokenErrorContext context_;
    std::function<Clock::time_point()> now_;
    std::chrono::milliseconds request_timeout_{std::chrono::seconds(30)};
};

}  // namespace tern::auth
