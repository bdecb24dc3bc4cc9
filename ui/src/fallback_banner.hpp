// The banner over the main window while an account uses its password servers because Microsoft
// sign-in failed (DESIGN §4): the reason in the policy's words, and a way to try OAuth again.
#pragma once

#include <wx/panel.h>

#include <functional>

class wxButton;
class wxStaticText;

namespace tern::ui {

class FallbackBanner : public wxPanel {
public:
    explicit FallbackBanner(wxWindow* parent);

    void show_reason(const wxString& email, const wxString& reason);
    wxButton* retry_button() const { return retry_; }
    const wxString& text() const { return text_; }

    std::function<void()> on_retry;

private:
    void wrap();

    wxStaticText* message_ = nullptr;
    wxButton* retry_ = nullptr;
    wxString text_;
};

}  // namespace tern::ui
