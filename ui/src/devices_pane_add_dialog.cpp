#include "devices_pane_add_dialog.hpp"

#include <wx/intl.h>
#include <wx/msgdlg.h>
#include <wx/radiobox.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

namespace tern::ui {
namespace {

std::string trimmed(const wxTextCtrl* field) {
    wxString text = field->GetValue();
    text.Trim(true).Trim(false);
    return text.ToStdString(wxConvUTF8);
}

}  // namespace

AddDeviceDialog::AddDeviceDialog(wxWindow* parent)
    : wxDialog(parent, wxID_ANY, _("Add device"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER, "add-device-dialog") {
    const auto field = [this](const char* name) {
        return new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxSize(320, -1), 0, wxDefaultValidator, name);
    };
    name_ = field("device-name");
    model_ = field("device-model");
    mailbox_ = field("device-mailbox");
    address_ = field("device-address");
    name_->SetHint(_("2nd floor printer"));
    model_->SetHint(_("Brother MFC-L8900"));
    mailbox_->SetHint(_("scanner@contoso.com"));
    address_->SetHint(_("192.168.1.40"));
    const wxString kinds[] = {_("It signs in to Exchange Online itself (OAuth 2.0 in its Web Config)"),
                              _("It cannot do OAuth: Tern signs its mailbox in and relays its mail")};
    kind_ = new wxRadioBox(this, wxID_ANY, _("Sign-in"), wxDefaultPosition, wxDefaultSize, 2, kinds, 1,
                           wxRA_SPECIFY_COLS, wxDefaultValidator, "device-kind");

    auto* grid = new wxFlexGridSizer(2, wxSize(12, 8));
    grid->AddGrowableCol(1);
    const auto row = [&](const wxString& label, wxWindow* control) {
        grid->Add(new wxStaticText(this, wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
        grid->Add(control, 1, wxEXPAND);
    };
    row(_("Name:"), name_);
    row(_("Model:"), model_);
    row(_("Mailbox it sends as:"), mailbox_);
    row(_("Network address:"), address_);

    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(grid, 0, wxEXPAND | wxALL, 12);
    sizer->Add(kind_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    sizer->Add(CreateStdDialogButtonSizer(wxOK | wxCANCEL), 0, wxEXPAND | wxALL, 12);
    SetSizerAndFit(sizer);
    name_->SetFocus();
}

accounts::Device AddDeviceDialog::device() const {
    accounts::Device d;
    d.name = trimmed(name_);
    d.model = trimmed(model_);
    d.mailbox = trimmed(mailbox_);
    d.address = trimmed(address_);
    d.kind = kind_->GetSelection() == 1 ? accounts::DeviceKind::Relayed : accounts::DeviceKind::Self;
    return d;
}

bool AddDeviceDialog::TransferDataFromWindow() {
    const auto d = device();
    wxString missing;
    if (d.name.empty())
        missing = _("Give the device a name, for example the place it stands in.");
    else if (d.mailbox.find('@') == std::string::npos)
        missing = _("Enter the mailbox the device sends as, for example scanner@contoso.com.");
    if (missing.empty()) return true;
    wxMessageBox(missing, _("Add device"), wxOK | wxICON_INFORMATION, this);
    return false;
}

}  // namespace tern::ui
