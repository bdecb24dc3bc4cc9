// The device-code step of the devices pane (DESIGN §5): the code to enter (large, selectable),
// the verification link, a QR code of the link for a phone, a live countdown until the code
// expires, and Cancel. It only shows; the pane runs the sign-in.
#pragma once

#include "tern/accounts/qr_code.hpp"
#include "tern/auth/token_endpoint.hpp"

#include <wx/bitmap.h>
#include <wx/panel.h>
#include <wx/timer.h>

#include <functional>

class wxButton;
class wxHyperlinkCtrl;
class wxStaticBitmap;
class wxStaticText;
class wxTextCtrl;

namespace tern::ui {

// The QR matrix as a bitmap: black modules on white, `module_pixels` per module, a quiet zone of
// four modules (what scanners need).
wxBitmap qr_bitmap(const accounts::QrCode& code, int module_pixels);

class SignInPanel : public wxPanel {
public:
    explicit SignInPanel(wxWindow* parent);

    // `headline` says what the code is for ("Sign in 2nd floor MFP (mfp@contoso.com)").
    void show_code(const wxString& headline, const auth::DeviceAuthorization& code);
    // Stops the countdown (the sign-in ended); the panel keeps what it showed until hidden.
    void stop();
    void on_cancel(std::function<void()> cancel) { cancel_ = std::move(cancel); }

private:
    void tick();

    wxStaticText* headline_ = nullptr;
    wxTextCtrl* code_ = nullptr;
    wxHyperlinkCtrl* link_ = nullptr;
    wxStaticBitmap* qr_ = nullptr;
    wxStaticText* countdown_ = nullptr;
    wxButton* cancel_button_ = nullptr;
    wxTimer timer_;
    auth::Clock::time_point expires_at_;
    std::function<void()> cancel_;
};

}  // namespace tern::ui
