#include "devices_pane_text.hpp"

#include <wx/datetime.h>
#include <wx/intl.h>

namespace tern::ui {

wxString token_state_words(accounts::TokenState state) {
    switch (state) {
        case accounts::TokenState::NotAcquired: return _("Not acquired");
        case accounts::TokenState::WaitingForAuthorization: return _("Waiting for authorization");
        case accounts::TokenState::Acquired: return _("Acquired");
        case accounts::TokenState::Invalid: return _("Invalid");
    }
    return {};
}

wxColour token_state_colour(accounts::TokenState state) {
    switch (state) {
        case accounts::TokenState::NotAcquired: return wxColour(0x75, 0x75, 0x75);
        case accounts::TokenState::WaitingForAuthorization: return wxColour(0xC7, 0x7C, 0x02);
        case accounts::TokenState::Acquired: return wxColour(0x2E, 0x7D, 0x32);
        case accounts::TokenState::Invalid: return wxColour(0xC6, 0x28, 0x28);
    }
    return wxColour(0, 0, 0);
}

wxString device_kind_words(accounts::DeviceKind kind) {
    return kind == accounts::DeviceKind::Self ? _("Signs in itself") : _("Relayed by Tern");
}

wxString when_words(const std::optional<std::int64_t>& unix_seconds) {
    if (!unix_seconds) return _("Never");
    return wxDateTime(static_cast<time_t>(*unix_seconds)).Format("%x %X");
}

wxString core_text(const std::string& text) { return wxGetTranslation(wxString::FromUTF8(text)); }

}  // namespace tern::ui
