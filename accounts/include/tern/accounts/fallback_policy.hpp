// The OAuth-first policy of DESIGN §4 as a plain state machine: which failures switch a Microsoft
// account to the password servers (the identity platform's TLS broken, unreachable or failing
// repeatedly, the app rejected, a fresh token refused by the mail server), which only call for
// guidance (cancelled, consent, Conditional Access, MFA, wrong tenant, sign in again), when OAuth
// is tried again, and what a refused fallback password means. No I/O: the account service feeds
// it events and carries out its decisions.
#pragma once

#include "tern/accounts/account.hpp"
#include "tern/core/error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tern::accounts {

enum class FailureSource {
    IdentityPlatform,  // the token endpoint (sign-in, refresh)
    MailServer,        // IMAP, POP3 or SMTP refusing or failing
};

struct FallbackSettings {
    // Unreachable, timed out or server_error / temporarily_unavailable this many times in a row.
    int transient_failures_before_fallback = 3;
    std::chrono::seconds retry_interval{std::chrono::hours(24)};
};

// What the policy remembers about one account (persisted with the account).
struct FallbackState {
    AccountMode mode = AccountMode::OAuth;
    std::optional<std::string> reason;
    std::optional<std::int64_t> since;               // Unix seconds
    std::optional<std::int64_t> last_oauth_attempt;  // Unix seconds
    int transient_failures = 0;                       // in a row, reset by any other outcome
};

enum class PolicyAction {
    None,              // nothing changes (a mail server problem, a transient failure not yet repeated)
    SwitchToFallback,  // use the password servers: ask the password once, test IMAP and SMTP
    StayInFallback,    // OAuth was tried again and still fails
    Guidance,          // stay in OAuth; show `message` (what the person or the admin must do)
    ReturnToOAuth,     // OAuth works again: back to OAuth, remove the stored password
    FallbackRefused,   // the fallback password was refused: say why, offer device-code sign-in
};

std::string_view to_string(PolicyAction action);

struct PolicyDecision {
    PolicyAction action = PolicyAction::None;
    std::string reason;    // for the banner: "Using password sign-in because Microsoft sign-in failed: <reason>"
    std::string message;   // what to tell the person
    bool offer_device_code = false;
};

class FallbackPolicy {
public:
    explicit FallbackPolicy(FallbackSettings settings = {}) : settings_(settings) {}

    // An OAuth step failed. `fresh_token_refused`: the mail server refused a token issued after
    // it had refused the previous one (TokenCredentials::fresh_token_refused()).
    PolicyDecision on_oauth_failure(FallbackState& state, FailureSource source, const Error& error,
                                    bool fresh_token_refused, std::int64_t now) const;
    // An OAuth sign-in or refresh worked and the mail server accepted the token.
    PolicyDecision on_oauth_success(FallbackState& state, std::int64_t now) const;
    // Whether to try OAuth again now (an account in fallback: at start, then every retry_interval).
    bool oauth_retry_due(const FallbackState& state, std::int64_t now, bool at_start) const;
    // The fallback servers refused the password.
    PolicyDecision on_fallback_refused(FallbackState& state, const Error& error) const;

    const FallbackSettings& settings() const { return settings_; }

private:
    PolicyDecision trigger(FallbackState& state, std::string reason, std::int64_t now) const;

    FallbackSettings settings_;
};

}  // namespace tern::accounts
