// The devices pane's words and colours for the core's values: the four token states (in the
// words the devices' manuals use, translated), the device kinds, times, and the core's guidance
// text looked up in the translation catalog.
#pragma once

#include "tern/accounts/device.hpp"

#include <wx/colour.h>
#include <wx/string.h>

#include <cstdint>
#include <optional>
#include <string>

namespace tern::ui {

wxString token_state_words(accounts::TokenState state);
// Grey, amber, green, red: not acquired, waiting, acquired, invalid.
wxColour token_state_colour(accounts::TokenState state);
wxString device_kind_words(accounts::DeviceKind kind);
// "Never" for nullopt, else the local date and time.
wxString when_words(const std::optional<std::int64_t>& unix_seconds);
// Core text (UTF-8) through the catalog: the guidance table and checklist are data in accounts/.
wxString core_text(const std::string& text);

}  // namespace tern::ui
