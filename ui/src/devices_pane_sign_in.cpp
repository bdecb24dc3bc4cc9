#include "devices_pane_sign_in.hpp"

#include "tern/core/error.hpp"

#include <wx/button.h>
#include <wx/hyperlink.h>
#include <wx/image.h>
#include <wx/intl.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <algorithm>

namespace tern::ui {

wxBitmap qr_bitmap(const accounts::QrCode& code, int module_pixels) {
    constexpr int quiet = 4;
    const int side = (code.size() + 2 * quiet) * module_pixels;
    wxImage image(side, side);
    image.SetRGB(wxRect(0, 0, side, side), 255, 255, 255);
    for (int y = 0; y < code.size(); ++y)
        for (int x = 0; x < code.size(); ++x)
            if (code.dark(x, y))
                image.SetRGB(wxRect((x + quiet) * module_pixels, (y + quiet) * module_pixels, module_pixels,
                                    module_pixels),
                             0, 0, 0);
    return wxBitmap(image);
}

SignInPanel::SignInPanel(wxWindow* parent) : wxPanel(parent, wxID_ANY), timer_(this) {
    headline_ = new wxStaticText(this, wxID_ANY, "");
    headline_->SetFont(headline_->GetFont().Bold());
    auto* enter = new wxStaticText(this, wxID_ANY, _("Open this link on any computer or phone and enter the code:"));
    enter->Wrap(FromDIP(340));  // beside the QR code in narrow windows (the wizard), never clipped
    link_ = new wxHyperlinkCtrl(this, wxID_ANY, "https://", "https://", wxDefaultPosition, wxDefaultSize,
                                wxHL_DEFAULT_STYLE, "sign-in-link");
    code_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxTE_READONLY | wxTE_CENTRE,
                           wxDefaultValidator, "sign-in-code");
    wxFont big = code_->GetFont().Scaled(2.2f).Bold();
    big.SetFamily(wxFONTFAMILY_TELETYPE);
    code_->SetFont(big);
    countdown_ = new wxStaticText(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, "sign-in-countdown");
    auto* scan = new wxStaticText(this, wxID_ANY, _("Or scan the link with a phone:"));
    qr_ = new wxStaticBitmap(this, wxID_ANY, wxNullBitmap, wxDefaultPosition, wxDefaultSize, 0, "sign-in-qr");
    cancel_button_ = new wxButton(this, wxID_ANY, _("Cancel sign-in"), wxDefaultPosition, wxDefaultSize, 0,
                                  wxDefaultValidator, "sign-in-cancel");

    auto* words = new wxBoxSizer(wxVERTICAL);
    words->Add(headline_, 0, wxBOTTOM, 8);
    words->Add(enter, 0, wxBOTTOM, 4);
    words->Add(link_, 0, wxBOTTOM, 8);
    words->Add(code_, 0, wxBOTTOM, 8);
    words->Add(countdown_, 0, wxBOTTOM, 8);
    words->Add(cancel_button_, 0);
    auto* picture = new wxBoxSizer(wxVERTICAL);
    picture->Add(scan, 0, wxBOTTOM, 4);
    picture->Add(qr_, 0);
    auto* row = new wxBoxSizer(wxHORIZONTAL);
    row->Add(words, 1, wxRIGHT, 16);
    row->Add(picture, 0);
    SetSizer(row);

    cancel_button_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        cancel_button_->Disable();
        countdown_->SetLabel(_("Cancelling..."));
        if (cancel_) cancel_();
    });
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) { tick(); });
}

void SignInPanel::show_code(const wxString& headline, const auth::DeviceAuthorization& code) {
    headline_->SetLabel(headline);
    const wxString uri = wxString::FromUTF8(code.verification_uri);
    link_->SetURL(uri);
    link_->SetLabel(uri);
    code_->ChangeValue(wxString::FromUTF8(code.user_code));
    // Big enough for the code in its large font (wx sized the control for the default one).
    const wxSize text = code_->GetTextExtent(code_->GetValue() + "MM");
    code_->SetMinSize(wxSize(text.GetWidth() + 16, text.GetHeight() + 20));
    try {
        const auto qr = accounts::QrCode::encode(code.verification_uri);
        qr_->SetBitmap(qr_bitmap(qr, std::max(3, 220 / (qr.size() + 8))));
    } catch (const Error&) {
        qr_->SetBitmap(wxNullBitmap);  // the link above still works
    }
    expires_at_ = code.expires_at;
    cancel_button_->Enable();
    tick();
    timer_.Start(1000);
    Layout();
}

void SignInPanel::stop() {
    timer_.Stop();
    cancel_button_->Disable();
}

void SignInPanel::tick() {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(expires_at_ - auth::Clock::now()).count();
    if (left <= 0) {
        countdown_->SetLabel(_("The code has expired."));
        timer_.Stop();
        return;
    }
    countdown_->SetLabel(wxString::Format(_("Waiting for authorization: the code expires in %ld:%02ld"),
                                          static_cast<long>(left / 60), static_cast<long>(left % 60)));
}

}  // namespace tern::ui
