#include "tern/accounts/account.hpp"

namespace tern::accounts {

std::string_view to_string(AccountMode mode) {
    switch (mode) {
    case AccountMode::OAuth: return "oauth";
    case AccountMode::PasswordFallback: return "password-fallback";
    case AccountMode::Password: return "password";
    }
    return "password";
}

std::optional<AccountMode> mode_from_string(std::string_view text) {
    for (auto m : {AccountMode::OAuth, AccountMode::PasswordFallback, AccountMode::Password})
        if (to_string(m) == text) return m;
    return std::nullopt;
}

std::string_view to_string(mail::BodyPolicy policy) {
    switch (policy) {
    case mail::BodyPolicy::All: return "all";
    case mail::BodyPolicy::RecentDays: return "recent";
    case mail::BodyPolicy::OnDemand: return "on-demand";
    }
    return "all";
}

std::optional<mail::BodyPolicy> body_policy_from_string(std::string_view text) {
    for (auto p : {mail::BodyPolicy::All, mail::BodyPolicy::RecentDays, mail::BodyPolicy::OnDemand})
        if (to_string(p) == text) return p;
    return std::nullopt;
}

}  // namespace tern::accounts
