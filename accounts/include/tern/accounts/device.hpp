// A printer or scanner that sends mail through Exchange Online (DESIGN §5), as the device
// companion keeps it: which mailbox it sends from, whether it signs in itself or Tern relays for
// it, and the state of its sign-in in the four words the devices' own manuals use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::accounts {

enum class DeviceKind {
    Self,     // signs in to Exchange Online itself; Tern checks and explains
    Relayed,  // cannot do OAuth: Tern signs its mailbox in and relays its mail
};
std::string_view to_string(DeviceKind kind);  // "self", "relayed"
std::optional<DeviceKind> device_kind_from_string(std::string_view text);

enum class TokenState { NotAcquired, WaitingForAuthorization, Acquired, Invalid };
std::string_view to_string(TokenState state);   // "not-acquired", "waiting-for-authorization", ...
std::string_view display_name(TokenState state);  // "Not acquired", "Waiting for authorization", ...
std::optional<TokenState> token_state_from_string(std::string_view text);

struct Device {
    std::int64_t id = 0;
    std::string name;     // what the admin calls it ("2nd floor MFP"); unique, any case
    std::string model;
    std::string address;  // its network address (where its Web Config is, where it connects from)
    std::string mailbox;  // the Exchange Online mailbox it sends as
    DeviceKind kind = DeviceKind::Self;
    TokenState token_state = TokenState::NotAcquired;
    std::optional<std::string> token_reason;  // why Invalid, in plain words
    std::optional<std::string> relay_user;    // relayed: the user name it signs in to the relay with
    std::optional<std::int64_t> last_refresh;  // Unix seconds
    std::optional<std::string> last_error;
    std::optional<std::int64_t> last_error_at;
    std::int64_t spooled = 0, delivered = 0, failed = 0;
    std::int64_t created_at = 0;
};

}  // namespace tern::accounts
