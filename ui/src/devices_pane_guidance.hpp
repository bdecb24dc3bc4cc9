// The devices pane's reference pages, from the core's data (device_guidance): the admin's
// checklist for a device that signs in itself, and the table of error codes (360, 361, 370 on the
// device; 5.7.139 and the other answers of Exchange Online; AADSTS codes) with what to do.
#pragma once

#include "tern/accounts/device_guidance.hpp"

#include <wx/scrolwin.h>

class wxStaticText;
class wxSizer;

namespace tern::ui {

class ChecklistPage : public wxScrolledWindow {
public:
    explicit ChecklistPage(wxWindow* parent);
};

class TroubleshootingPage : public wxScrolledWindow {
public:
    explicit TroubleshootingPage(wxWindow* parent);
};

// One piece of advice (meaning, then the steps as a list) for the device's last error.
wxSizer* advice_sizer(wxWindow* parent, const accounts::DeviceErrorAdvice& advice, int wrap);

}  // namespace tern::ui
