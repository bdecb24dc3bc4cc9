#include "tern/auth/token_endpoint.hpp"

#include "tern/core/error.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace tern::auth {

TokenEndpoint::TokenEndpoint(HttpClient& http, OAuthConfig config, std::string account,
                             std::function<Clock::time_point()> now)
    : http_(http),
      config_(std::move(config)),
      context_{std::move(account), config_.tenant, config_.client_id, config_.admin_consent_url},
      now_(std::move(now)) {}

HttpResponse TokenEndpoint::post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& form,
                                 const CancelToken* cancel) {
    HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    request.body = form_encode(form);
    request.total_timeout = request_timeout_;
    request.connect_timeout = std::min(request.connect_timeout, request_timeout_);
    return http_.send(request, cancel);
}

void TokenEndpoint::throw_classified(const TokenEndpointError& error) const {
    auto classified = classify_token_error(error, context_);
    spdlog::warn("token endpoint for {}: {}", context_.account, classified.log_line());
    throw classified;
}

TokenGrant TokenEndpoint::grant_or_throw(const HttpResponse& response) {
    if (response.status >= 200 && response.status < 300) return parse_token_grant(response, now_());
    throw_classified(parse_token_error(response));
}

TokenGrant TokenEndpoint::redeem_code(const std::string& code, const std::string& redirect_uri,
                                      const std::string& verifier, const CancelToken* cancel) {
    return grant_or_throw(post(config_.token_url,
                               {{"client_id", config_.client_id},
                                {"grant_type", "authorization_code"},
                                {"code", code},
                                {"redirect_uri", redirect_uri},
                                {"code_verifier", verifier},
                                {"scope", config_.scope_string()}},
                               cancel));
}

TokenGrant TokenEndpoint::refresh(const Secret& refresh_token, const CancelToken* cancel) {
    return grant_or_throw(post(config_.token_url,
                               {{"client_id", config_.client_id},
                                {"grant_type", "refresh_token"},
                                {"refresh_token", std::string(refresh_token.reveal())},
                                {"scope", config_.scope_string()}},
                               cancel));
}

DeviceAuthorization TokenEndpoint::request_device_code(const CancelToken* cancel) {
    const auto response =
        post(config_.device_code_url, {{"client_id", config_.client_id}, {"scope", config_.scope_string()}}, cancel);
    if (response.status < 200 || response.status >= 300) throw_classified(parse_token_error(response));
    const auto json = nlohmann::json::parse(response.body, nullptr, false);
    auto text = [&](const char* key) {
        auto it = json.is_object() ? json.find(key) : json.end();
        return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto number = [&](const char* key, long fallback) {
        auto it = json.is_object() ? json.find(key) : json.end();
        if (it == json.end()) return fallback;
        if (it->is_number_integer()) return it->get<long>();
        if (it->is_string()) return std::strtol(it->get<std::string>().c_str(), nullptr, 10);
        return fallback;
    };
    DeviceAuthorization a;
    a.user_code = text("user_code");
    a.verification_uri = text("verification_uri");
    const auto device_code = text("device_code");
    if (device_code.empty() || a.user_code.empty() || a.verification_uri.empty())
        throw Error(ErrorCategory::Protocol, "The sign-in service answered in a way Tern did not understand.",
                    "devicecode: missing device_code, user_code or verification_uri");
    a.device_code = Secret(device_code);
    a.message = text("message");
    if (a.message.empty())
        a.message = "To sign in, open " + a.verification_uri + " and enter the code " + a.user_code + ".";
    a.expires_at = now_() + std::chrono::seconds(number("expires_in", 900));
    a.interval = std::chrono::seconds(std::max(1L, number("interval", 5)));
    return a;
}

DevicePoll TokenEndpoint::poll_device_code(const DeviceAuthorization& authorization, const CancelToken* cancel) {
    const auto response = post(config_.token_url,
                               {{"client_id", config_.client_id},
                                {"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                                {"device_code", std::string(authorization.device_code.reveal())}},
                               cancel);
    if (response.status >= 200 && response.status < 300) return parse_token_grant(response, now_());
    const auto error = parse_token_error(response);
    if (error.error == "authorization_pending") return PollPending{};
    if (error.error == "slow_down") return PollSlowDown{};
    throw_classified(error);
}

}  // namespace tern::auth
