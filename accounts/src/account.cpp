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

}  // namespace tern::accounts
