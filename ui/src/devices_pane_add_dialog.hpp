// "Add device": what the registry needs to know of a printer or scanner (name, model, whether it
// signs in itself or Tern relays its mail, the mailbox it sends as, its network address).
#pragma once

#include "tern/accounts/device.hpp"

#include <wx/dialog.h>

class wxRadioBox;
class wxTextCtrl;

namespace tern::ui {

class AddDeviceDialog : public wxDialog {
public:
    explicit AddDeviceDialog(wxWindow* parent);
    // What was entered (the registry checks it again and says what is wrong).
    accounts::Device device() const;

private:
    bool TransferDataFromWindow() override;

    wxTextCtrl* name_ = nullptr;
    wxTextCtrl* model_ = nullptr;
    wxRadioBox* kind_ = nullptr;
    wxTextCtrl* mailbox_ = nullptr;
    wxTextCtrl* address_ = nullptr;
};

}  // namespace tern::ui
