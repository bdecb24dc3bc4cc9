#include "devices_pane_relay.hpp"

#include "devices_pane_jobs.hpp"

#include <spdlog/spdlog.h>
#include <wx/button.h>
#include <wx/intl.h>
#include <wx/sizer.h>
#include <wx/spinctrl.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

namespace tern::ui {
namespace {

wxTextCtrl* read_only(wxWindow* parent, const char* name, int width) {
    return new wxTextCtrl(parent, wxID_ANY, "", wxDefaultPosition, wxSize(width, -1), wxTE_READONLY,
                          wxDefaultValidator, name);
}

}  // namespace

RelayPage::RelayPage(wxWindow* parent, MailService& service)
    : wxPanel(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxTAB_TRAVERSAL, "relay"), service_(service) {
    auto* intro = new wxStaticText(this, wxID_ANY,
                                   _("Devices that cannot sign in to Exchange Online send their mail to Tern's relay "
                                     "(SMTP with STARTTLS), which sends it on as the device's mailbox."));
    intro->Wrap(640);
    host_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(220, -1), 0, wxDefaultValidator,
                           "relay-host");
    port_ = new wxSpinCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxSP_ARROW_KEYS, 1, 65535, 2525,
                           "relay-port");
    save_ = new wxButton(this, wxID_ANY, _("Save"), wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator,
                         "relay-save");
    fingerprint_ = read_only(this, "relay-fingerprint", 640);
    device_heading_ = new wxStaticText(this, wxID_ANY, "");
    device_heading_->SetFont(device_heading_->GetFont().Bold());
    user_ = read_only(this, "relay-user", 260);
    password_ = read_only(this, "relay-password", 260);
    reveal_ = new wxButton(this, wxID_ANY, _("Show password"), wxDefaultPosition, wxDefaultSize, 0,
                           wxDefaultValidator, "relay-reveal");
    status_ = new wxStaticText(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, "relay-status");

    auto* grid = new wxFlexGridSizer(2, wxSize(12, 8));
    grid->AddGrowableCol(1);
    const auto label = [this, grid](const wxString& text) {
        grid->Add(new wxStaticText(this, wxID_ANY, text), 0, wxALIGN_CENTER_VERTICAL);
    };
    auto* listen = new wxBoxSizer(wxHORIZONTAL);
    listen->Add(host_, 0, wxALIGN_CENTER_VERTICAL);
    listen->Add(new wxStaticText(this, wxID_ANY, _("Port:")), 0, wxALIGN_CENTER_VERTICAL | wxLEFT | wxRIGHT, 8);
    listen->Add(port_, 0, wxALIGN_CENTER_VERTICAL);
    listen->Add(save_, 0, wxALIGN_CENTER_VERTICAL | wxLEFT, 8);
    label(_("Listen address:"));
    grid->Add(listen, 0);
    label(_("Certificate (SHA-256):"));
    grid->Add(fingerprint_, 1, wxEXPAND);

    auto* credentials = new wxFlexGridSizer(2, wxSize(12, 8));
    credentials->Add(new wxStaticText(this, wxID_ANY, _("User name:")), 0, wxALIGN_CENTER_VERTICAL);
    credentials->Add(user_, 0);
    credentials->Add(new wxStaticText(this, wxID_ANY, _("Password:")), 0, wxALIGN_CENTER_VERTICAL);
    auto* password_row = new wxBoxSizer(wxHORIZONTAL);
    password_row->Add(password_, 0, wxALIGN_CENTER_VERTICAL);
    password_row->Add(reveal_, 0, wxALIGN_CENTER_VERTICAL | wxLEFT, 8);
    credentials->Add(password_row, 0);

    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(intro, 0, wxALL, 12);
    sizer->Add(grid, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    sizer->Add(device_heading_, 0, wxLEFT | wxRIGHT | wxTOP, 12);
    sizer->Add(credentials, 0, wxALL, 12);
    sizer->Add(status_, 0, wxLEFT | wxRIGHT, 12);
    SetSizer(sizer);

    save_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { save(); });
    reveal_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { reveal_password(); });
    show_device(nullptr);
}

void RelayPage::load() {
    service_.devices().run<RelaySettings>(
        this, [](const JobContext& job) { return load_relay_settings(job.profile()); },
        [this](RelaySettings settings) { show_settings(settings); },
        [this](const Error& error) { say(wxString::FromUTF8(error.message()), true); });
}

void RelayPage::show_settings(const RelaySettings& settings) {
    host_->ChangeValue(wxString::FromUTF8(settings.listen.host));
    port_->SetValue(settings.listen.port);
    fingerprint_->ChangeValue(wxString::FromUTF8(settings.certificate_sha256));
}

void RelayPage::save() {
    accounts::RelayListenAddress listen;
    listen.host = host_->GetValue().Strip(wxString::both).ToStdString(wxConvUTF8);
    listen.port = static_cast<std::uint16_t>(port_->GetValue());
    save_->Disable();
    service_.devices().run<RelaySettings>(
        this, [listen](const JobContext& job) { return save_relay_settings(job.profile(), listen); },
        [this](RelaySettings settings) {
            save_->Enable();
            show_settings(settings);
            say(wxString::Format(_("The relay listens on %s, port %d, from its next start."),
                                 wxString::FromUTF8(settings.listen.host), static_cast<int>(settings.listen.port)),
                false);
        },
        [this](const Error& error) {
            save_->Enable();
            say(wxString::FromUTF8(error.message()), true);
        });
}

void RelayPage::show_device(const accounts::Device* device) {
    const bool relayed = device && device->kind == accounts::DeviceKind::Relayed;
    const std::optional<std::string> name = relayed ? std::optional(device->name) : std::nullopt;
    if (name != device_name_) password_->ChangeValue(_("(hidden)"));  // another device: hide again
    device_name_ = name;
    if (!relayed) {
        device_heading_->SetLabel(device ? _("The selected device signs in itself: it does not use the relay.")
                                         : _("Select a relayed device to see its relay user name and password."));
        user_->ChangeValue("");
        password_->ChangeValue("");
    } else {
        device_heading_->SetLabel(
            wxString::Format(_("In the SMTP settings of %s:"), wxString::FromUTF8(device->name)));
        user_->ChangeValue(wxString::FromUTF8(device->relay_user.value_or("")));
    }
    reveal_->Enable(relayed);
    user_->Enable(relayed);
    password_->Enable(relayed);
    Layout();
}

void RelayPage::reveal_password() {
    if (!device_name_) return;
    const std::string name = *device_name_;
    reveal_->Disable();
    service_.devices().run<Secret>(
        this, [name](const JobContext& job) { return relay_password(job.profile(), name); },
        [this, name](Secret password) {
            reveal_->Enable(device_name_.has_value());
            if (device_name_ != name) return;  // the admin moved on to another device meanwhile
            password_->ChangeValue(wxString::FromUTF8(std::string(password.reveal())));
            spdlog::info("devices pane: relay password of device \"{}\" shown on request", name);
        },
        [this](const Error& error) {
            reveal_->Enable(device_name_.has_value());
            say(wxString::FromUTF8(error.message()), true);
        });
}

void RelayPage::say(const wxString& text, bool error) {
    status_->SetForegroundColour(error ? wxColour(0xC6, 0x28, 0x28) : GetForegroundColour());
    status_->SetLabel(text);
    status_->Wrap(640);
    Layout();
}

}  // namespace tern::ui
