#include "tern/auth/token_error_table.hpp"

#include "tern/core/text.hpp"

namespace tern::auth {
namespace {

using C = ErrorCategory;

}  // namespace

const std::vector<TokenErrorRule>& token_error_table() {
    static const std::vector<TokenErrorRule> table{
        // Device code polling (RFC 8628 §3.5): the flow handles pending and slow_down itself.
        {"authorization_declined", 0, C::Cancelled,
         "The sign-in for {account} was declined on the verification page."},
        {"expired_token", 0, C::Timeout,
         "The sign-in code expired before anyone entered it. Start the sign-in again to get a new code."},
        {"bad_verification_code", 0, C::Protocol,
         "Microsoft did not recognise the sign-in code. Start the sign-in again."},
        {"access_denied", 0, C::Cancelled, "The sign-in for {account} was cancelled or declined."},

        // Refresh tokens that no longer work: sign in again, no fallback.
        {"", 700082, C::TokenExpired,
         "The sign-in for {account} expired because the account was not used for a long time. Sign in again."},
        {"", 700084, C::TokenExpired,
         "The sign-in for {account} expired because the account was not used for a long time. Sign in again."},
        {"", 70043, C::TokenExpired,
         "Your organisation's sign-in frequency policy requires {account} to sign in again."},
        {"", 50173, C::TokenRevoked,
         "The sign-in for {account} was revoked, for example because the password was changed. Sign in again."},
        {"", 7000012, C::TokenRevoked,
         "The sign-in for {account} belongs to a different organisation (tenant) than this account uses. "
         "Sign in again."},
        {"", 70000, C::TokenRevoked, "The sign-in for {account} is no longer valid. Sign in again."},
        // 9002313 also comes with invalid_request for a malformed request: only a refused grant means sign in again.
        {"invalid_grant", 9002313, C::TokenRevoked, "The sign-in for {account} is no longer valid. Sign in again."},
        {"", 54005, C::Protocol, "That sign-in code was already used. Start the sign-in again."},
        {"", 70008, C::TokenExpired, "The sign-in took too long and its code expired. Start the sign-in again."},

        // The organisation must act: guidance, no fallback.
        {"", 65001, C::ConsentRequired,
         "Your organisation's administrator must approve Tern before {account} can use it. Send them this "
         "link: {admin_consent_url}"},
        {"consent_required", 0, C::ConsentRequired,
         "Your organisation's administrator must approve Tern before {account} can use it. Send them this "
         "link: {admin_consent_url}"},
        {"", 53003, C::PolicyBlocked,
         "Your organisation's Conditional Access policy blocked this sign-in for {account}. Ask the "
         "administrator which devices and places may sign in."},
        {"", 50076, C::PolicyBlocked,
         "{account} must complete multi-factor authentication. Sign in again in the browser."},
        {"", 50079, C::PolicyBlocked,
         "{account} must set up multi-factor authentication first. Sign in again in the browser."},
        {"interaction_required", 0, C::PolicyBlocked,
         "{account} must sign in again in the browser (the organisation asks for an extra step)."},
        {"", 90072, C::BadInput,
         "The account {account} is not in the organisation's directory (tenant {tenant}). Check the address, "
         "or ask the administrator to add it."},
        {"", 90002, C::BadInput, "The organisation (tenant) {tenant} does not exist. Check the account settings."},

        // The platform refuses the app itself: these trigger the password fallback.
        {"", 700016, C::AppRejected,
         "Microsoft does not know Tern's app registration (client id {client_id}) in this directory. The "
         "administrator can allow it, or register the organisation's own app and enter its client id."},
        {"", 50011, C::AppRejected,
         "Microsoft refused Tern's sign-in address for client id {client_id}: that client id is not registered "
         "as a desktop app. Check the client id in the account settings."},
        {"invalid_client", 0, C::AppRejected,
         "Microsoft rejected Tern's app registration (client id {client_id}). The administrator can allow it, "
         "or enter the organisation's own client id in the account settings."},
        {"unauthorized_client", 0, C::AppRejected,
         "Microsoft does not allow Tern's app (client id {client_id}) to sign in this way."},
        {"invalid_scope", 0, C::AppRejected,
         "Microsoft refused the mail permissions Tern asked for with client id {client_id}."},

        // The platform itself is failing: retry, and fall back if it keeps failing.
        {"temporarily_unavailable", 0, C::ServerError,
         "Microsoft's sign-in service is temporarily unavailable. Tern will try again{retry_after}."},
        {"server_error", 0, C::ServerError,
         "Microsoft's sign-in service reported an internal error. Tern will try again{retry_after}."},

        // Anything else with these codes: a refresh token that does not work.
        {"invalid_grant", 0, C::TokenRevoked, "The sign-in for {account} is no longer valid. Sign in again."},
        {"invalid_request", 0, C::Protocol,
         "Microsoft's sign-in service refused Tern's request as malformed. Please report this with the log file."},
    };
    return table;
}

namespace {

std::string fill(std::string message, const TokenEndpointError& error, const TokenErrorContext& ctx) {
    replace_all(message, "{account}", ctx.account.empty() ? "this account" : ctx.account);
    replace_all(message, "{tenant}", ctx.tenant);
    replace_all(message, "{client_id}", ctx.client_id);
    replace_all(message, "{admin_consent_url}", ctx.admin_consent_url);
    replace_all(message, "{retry_after}",
                error.retry_after_seconds ? " in " + std::to_string(*error.retry_after_seconds) + " seconds" : " later");
    return message;
}

}  // namespace

Error classify_token_error(const TokenEndpointError& error, const TokenErrorContext& context) {
    const long code = error.aadsts();
    ProtocolContext protocol{"POST token", error.description,
                             error.error + (code ? " AADSTS" + std::to_string(code) : std::string())};
    const std::string detail = "HTTP " + std::to_string(error.http_status) + " " + protocol.status;
    for (const auto& rule : token_error_table()) {
        const bool error_matches = rule.error[0] == '\0' || error.error == rule.error;
        const bool code_matches = rule.aadsts == 0 || rule.aadsts == code;
        // A code-only rule needs a code; an error-only rule needs an error.
        if (error_matches && code_matches && (rule.aadsts != 0 || rule.error[0] != '\0'))
            return Error(rule.category, fill(rule.message, error, context), detail, protocol);
    }
    if (error.http_status >= 500)
        return Error(ErrorCategory::ServerError,
                     fill("Microsoft's sign-in service failed (HTTP " + std::to_string(error.http_status) +
                              "). Tern will try again{retry_after}.",
                          error, context),
                     detail, protocol);
    return Error(ErrorCategory::Protocol,
                 "Microsoft's sign-in service answered with an error Tern does not know (" +
                     (error.error.empty() ? "HTTP " + std::to_string(error.http_status) : error.error) +
                     "). Please report this with the log file.",
                 detail, protocol);
}

}  // namespace tern::auth
