#include "tern/auth/browser_sign_in.hpp"

#include "loopback_redirect_listener.hpp"
#include "tern/auth/pkce.hpp"
#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>

namespace tern::auth {
namespace {

[[noreturn]] void throw_redirect_error(const RedirectResult& redirect, const TokenEndpoint& endpoint,
                                       const std::string& login_hint) {
    if (redirect.error == "access_denied")
        throw Error(ErrorCategory::Cancelled,
                    "The sign-in was cancelled or declined in the browser. Start it again when you are ready.",
                    "authorize redirect: access_denied",
                    {"GET authorize", redirect.error_description, redirect.error});
    const auto& config = endpoint.config();
    // The same words as a token endpoint answer with this error: the table is the one place.
    auto classified = classify_token_error(TokenEndpointError{400, redirect.error, redirect.error_description, {}, {}},
                                           {login_hint, config.tenant, config.client_id, config.admin_consent_url});
    spdlog::warn("browser sign-in: authorize redirect with an error: {}", classified.log_line());
    throw classified;
}

}  // namespace

std::string authorize_url(const OAuthConfig& config, const std::string& redirect_uri, const std::string& state,
                          const std::string& code_challenge, const std::string& login_hint) {
    std::vector<std::pair<std::string, std::string>> query{{"client_id", config.client_id},
                                                           {"response_type", "code"},
                                                           {"redirect_uri", redirect_uri},
                                                           {"response_mode", "query"},
                                                           {"scope", config.scope_string()},
                                                           {"state", state},
                                                           {"code_challenge", code_challenge},
                                                           {"code_challenge_method", Pkce::method}};
    if (!login_hint.empty()) query.emplace_back("login_hint", login_hint);
    const char separator = config.authorize_url.find('?') == std::string::npos ? '?' : '&';
    return config.authorize_url + separator + form_encode(query);
}

TokenGrant sign_in_with_browser(TokenEndpoint& endpoint, const OpenUrl& open_url, const BrowserSignInOptions& options,
                                const CancelToken* cancel) {
    if (cancel != nullptr) cancel->throw_if_cancelled();
    const auto pkce = make_pkce();
    const auto state = random_url_token();
    LoopbackRedirectListener listener;
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    const auto redirect_uri = listener.redirect_uri();

    open_url(authorize_url(endpoint.config(), redirect_uri, state, pkce.challenge, options.login_hint));
    const auto redirect = listener.wait(deadline, cancel);

    // A redirect without our state was not started by this sign-in (RFC 6749 §10.12): its code,
    // if any, is never redeemed.
    if (redirect.state != state)
        throw Error(ErrorCategory::Protocol,
                    "The browser returned a sign-in that Tern did not start, so Tern ignored it. Start the "
                    "sign-in again.",
                    redirect.state.empty() ? "authorize redirect without state" : "authorize redirect state mismatch");
    if (!redirect.error.empty()) throw_redirect_error(redirect, endpoint, options.login_hint);
    if (redirect.code.empty())
        throw Error(ErrorCategory::Protocol, "The sign-in service answered in a way Tern did not understand.",
                    "authorize redirect without code or error");

    spdlog::info("browser sign-in: redirect received, redeeming the code");
    return endpoint.redeem_code(redirect.code, redirect_uri, pkce.verifier, cancel);
}

}  // namespace tern::auth
