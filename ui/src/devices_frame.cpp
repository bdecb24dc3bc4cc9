#include "devices_frame.hpp"

#include "devices_pane.hpp"

#include <wx/intl.h>
#include <wx/sizer.h>

namespace tern::ui {

DevicesFrame::DevicesFrame(wxWindow* parent, MailService& service)
    : wxFrame(parent, wxID_ANY, _("Devices"), wxDefaultPosition, wxSize(1180, 860), wxDEFAULT_FRAME_STYLE,
              "devices-frame") {
    pane_ = new DevicesPane(this, service);
    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(pane_, 1, wxEXPAND);
    SetSizer(sizer);
    SetMinSize(wxSize(720, 560));
}

}  // namespace tern::ui
