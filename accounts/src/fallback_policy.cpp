#include "tern/accounts/fallback_policy.hpp"

namespace tern::accounts {

std::string_view to_string(PolicyAction action) {
    switch (action) {
        case PolicyAction::None: return "none";
        case PolicyAction::SwitchToFallback: return "switch-to-fallback";
        case PolicyAction::StayInFallback: return "stay-in-fallback";
        case PolicyAction::Guidance: return "guidance";
        case PolicyAction::ReturnToOAuth: return "return-to-oauth";
        case PolicyAction::FallbackRefused: return "fallback-refused";
    }
    return "none";
}

PolicyDecision FallbackPolicy::trigger(FallbackState& state, std::string reason, std::int64_t now) const {
    state.transient_failures = 0;
    state.reason = reason;
    if (state.mode == AccountMode::PasswordFallback)
        return {PolicyAction::StayInFallback, reason,
                "Microsoft sign-in still fails (" + reason + "). Tern keeps using password sign-in and tries again later.",
                false};
    state.mode = AccountMode::PasswordFallback;
    state.since = now;
    return {PolicyAction::SwitchToFallback, reason,
            "Microsoft sign-in failed: " + reason +
                ". Tern switches this account to password sign-in on Microsoft's password servers until Microsoft "
                "sign-in works again. Enter the account's password once (an app password if the account uses "
                "two-step verification).",
            false};
}

PolicyDecision FallbackPolicy::on_oauth_failure(FallbackState& state, FailureSource source, const Error& error,
                                                bool fresh_token_refused, std::int64_t now) const {
    if (state.mode == AccountMode::Password) return {};  // not an OAuth account
    if (source == FailureSource::IdentityPlatform) state.last_oauth_attempt = now;
    const auto category = error.category();

    if (source == FailureSource::MailServer) {
        if (category == ErrorCategory::AuthRejected && fresh_token_refused)
            return trigger(state, "the mail server refused a freshly issued sign-in token", now);
        if (category == ErrorCategory::PolicyBlocked)
            return {PolicyAction::Guidance, {}, error.message(), false};
        // A mail server that is down or refuses an old token is not an OAuth failure.
        return {};
    }

    switch (category) {
        case ErrorCategory::TlsCertificate:
            return trigger(state, "the certificate of Microsoft's sign-in service was not accepted (" + error.message() + ")",
                           now);
        case ErrorCategory::TlsHandshake:
            return trigger(state, "the encrypted connection to Microsoft's sign-in service failed", now);
        case ErrorCategory::AppRejected:
            return trigger(state, "Microsoft's sign-in service rejected Tern as an application (" + error.message() + ")",
                           now);
        case ErrorCategory::Network:
        case ErrorCategory::Timeout:
        case ErrorCategory::ServerError:
        case ErrorCategory::Protocol: {
            ++state.transient_failures;
            if (state.transient_failures < settings_.transient_failures_before_fallback)
                return {PolicyAction::None, {}, error.message(), false};
            const std::string what = category == ErrorCategory::ServerError || category == ErrorCategory::Protocol
                                         ? "Microsoft's sign-in service keeps failing"
                                         : "Microsoft's sign-in service cannot be reached";
            return trigger(state, what + " (" + std::to_string(state.transient_failures) + " attempts)", now);
        }
        case ErrorCategory::Cancelled:
            state.transient_failures = 0;
            return {};
        case ErrorCategory::TokenExpired:
        case ErrorCategory::TokenRevoked:
        case ErrorCategory::AuthRejected:
            state.transient_failures = 0;
            return {PolicyAction::Guidance, {}, error.message(), true};
        case ErrorCategory::ConsentRequired:
        case ErrorCategory::PolicyBlocked:
        case ErrorCategory::BadInput:
        default:
            // Consent, Conditional Access, MFA, wrong tenant: the person or the admin can fix it,
            // and the password servers would not help.
            state.transient_failures = 0;
            return {PolicyAction::Guidance, {}, error.message(), false};
    }
}

PolicyDecision FallbackPolicy::on_oauth_success(FallbackState& state, std::int64_t now) const {
    state.last_oauth_attempt = now;
    state.transient_failures = 0;
    if (state.mode != AccountMode::PasswordFallback) return {};
    state.mode = AccountMode::OAuth;
    state.reason.reset();
    state.since.reset();
    return {PolicyAction::ReturnToOAuth, {},
            "Microsoft sign-in works again: this account is back on Microsoft sign-in and the stored password has "
            "been removed.",
            false};
}

bool FallbackPolicy::oauth_retry_due(const FallbackState& state, std::int64_t now, bool at_start) const {
    if (state.mode != AccountMode::PasswordFallback) return false;
    if (at_start || !state.last_oauth_attempt) return true;
    return now - *state.last_oauth_attempt >= settings_.retry_interval.count();
}

PolicyDecision FallbackPolicy::on_fallback_refused(FallbackState& state, const Error& error) const {
    PolicyDecision d;
    d.action = PolicyAction::FallbackRefused;
    d.offer_device_code = true;
    if (error.category() == ErrorCategory::PolicyBlocked) {
        d.reason = "Microsoft no longer accepts passwords for this account";
        d.message = "Microsoft refused the password because password sign-in (basic authentication) is turned off "
                    "for this account: " + error.message() +
                    " Sign in with a device code instead, or ask your organisation for its own client id. Tern "
                    "keeps trying Microsoft sign-in.";
    } else {
        d.reason = "the password was refused on Microsoft's password servers";
        d.message = "The password servers refused the password: " + error.message() +
                    " If the password is right, Microsoft may have turned off password sign-in for this account "
                    "(it did for Outlook.com personal accounts in September 2024). Sign in with a device code "
                    "instead. Tern keeps trying Microsoft sign-in.";
    }
    if (state.mode == AccountMode::PasswordFallback && state.reason && state.reason->find(d.reason) == std::string::npos)
        state.reason = *state.reason + "; " + d.reason;
    return d;
}

}  // namespace tern::accounts
