#include "tern/accounts/device.hpp"

namespace tern::accounts {

std::string_view to_string(DeviceKind kind) { return kind == DeviceKind::Self ? "self" : "relayed"; }

std::optional<DeviceKind> device_kind_from_string(std::string_view text) {
    for (auto k : {DeviceKind::Self, DeviceKind::Relayed})
        if (to_string(k) == text) return k;
    return std::nullopt;
}

std::string_view to_string(TokenState state) {
    switch (state) {
    case TokenState::NotAcquired: return "not-acquired";
    case TokenState::WaitingForAuthorization: return "waiting-for-authorization";
    case TokenState::Acquired: return "acquired";
    case TokenState::Invalid: return "invalid";
    }
    return "not-acquired";
}

std::string_view display_name(TokenState state) {
    switch (state) {
    case TokenState::NotAcquired: return "Not acquired";
    case TokenState::WaitingForAuthorization: return "Waiting for authorization";
    case TokenState::Acquired: return "Acquired";
    case TokenState::Invalid: return "Invalid";
    }
    return "Not acquired";
}

std::optional<TokenState> token_state_from_string(std::string_view text) {
    for (auto s : {TokenState::NotAcquired, TokenState::WaitingForAuthorization, TokenState::Acquired,
                   TokenState::Invalid})
        if (to_string(s) == text) return s;
    return std::nullopt;
}

}  // namespace tern::accounts
