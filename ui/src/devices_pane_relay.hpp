// The relay settings page of the devices pane (DESIGN §5): where Tern's SMTP relay for devices
// that cannot do OAuth listens, its certificate's SHA-256 fingerprint (the admin compares it with
// what the device shows), and the selected device's relay user name and password. The password is
// read from the credential store only when the admin asks to see it, and never logged.
#pragma once

#include "mail_service.hpp"
#include "tern/accounts/device.hpp"

#include <wx/panel.h>

#include <optional>

class wxButton;
class wxSpinCtrl;
class wxStaticText;
class wxTextCtrl;

namespace tern::ui {

struct RelaySettings;

class RelayPage : public wxPanel {
public:
    RelayPage(wxWindow* parent, MailService& service);

    // Loads the listen address and the fingerprint (on the devices worker).
    void load();
    // The device whose credentials are shown; nullptr or a device that signs in itself: none.
    void show_device(const accounts::Device* device);

private:
    void show_settings(const RelaySettings& settings);
    void save();
    void reveal_password();
    void say(const wxString& text, bool error);

    MailService& service_;
    wxTextCtrl* host_ = nullptr;
    wxSpinCtrl* port_ = nullptr;
    wxButton* save_ = nullptr;
    wxTextCtrl* fingerprint_ = nullptr;
    wxStaticText* device_heading_ = nullptr;
    wxTextCtrl* user_ = nullptr;
    wxTextCtrl* password_ = nullptr;
    wxButton* reveal_ = nullptr;
    wxStaticText* status_ = nullptr;
    std::optional<std::string> device_name_;  // a relayed device is shown
};

}  // namespace tern::ui
