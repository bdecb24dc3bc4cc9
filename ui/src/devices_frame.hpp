// The window that hosts the devices pane ("Devices"), opened from the main window's menu.
#pragma once

#include "mail_service.hpp"

#include <wx/frame.h>

namespace tern::ui {

class DevicesPane;

class DevicesFrame : public wxFrame {
public:
    DevicesFrame(wxWindow* parent, MailService& service);
    DevicesPane* pane() const { return pane_; }

private:
    DevicesPane* pane_ = nullptr;
};

}  // namespace tern::ui
