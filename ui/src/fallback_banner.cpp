#include "fallback_banner.hpp"

#include <wx/artprov.h>
#include <wx/button.h>
#include <wx/intl.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>

namespace tern::ui {

FallbackBanner::FallbackBanner(wxWindow* parent) : wxPanel(parent, wxID_ANY) {
    SetName("fallback-banner");
    // Amber, readable in light and dark themes alike: the text colour is set with it.
    SetBackgroundColour(wxColour(0xFF, 0xE8, 0xA3));
    auto* row = new wxBoxSizer(wxHORIZONTAL);
    auto* icon = new wxStaticBitmap(this, wxID_ANY, wxArtProvider::GetBitmapBundle(wxART_WARNING, wxART_MESSAGE_BOX, wxSize(24, 24)));
    message_ = new wxStaticText(this, wxID_ANY, "");
    message_->SetForegroundColour(wxColour(0x30, 0x25, 0x00));
    retry_ = new wxButton(this, wxID_ANY, _("Try Microsoft sign-in again"));
    retry_->SetName("retry-oauth");
    row->Add(icon, 0, wxALIGN_CENTER_VERTICAL | wxALL, FromDIP(8));
    row->Add(message_, 1, wxALIGN_CENTER_VERTICAL | wxTOP | wxBOTTOM, FromDIP(8));
    row->Add(retry_, 0, wxALIGN_CENTER_VERTICAL | wxALL, FromDIP(8));
    SetSizer(row);
    retry_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        if (on_retry) on_retry();
    });
    Bind(wxEVT_SIZE, [this](wxSizeEvent& event) {
        event.Skip();
        wrap();
    });
    Hide();
}

void FallbackBanner::show_reason(const wxString& email, const wxString& reason) {
    text_ = wxString::Format(_("%s: Using password sign-in because Microsoft sign-in failed: %s"), email, reason);
    message_->SetToolTip(text_);
    wrap();
    if (!IsShown()) {
        Show();
        GetParent()->Layout();
    }
}

void FallbackBanner::wrap() {
    // The reason can be long (a certificate error says whose certificate): wrap it beside the button.
    const int width = GetClientSize().x - retry_->GetSize().x - FromDIP(24 + 32);
    // In a right-to-left window the sentence must read right to left even though it starts with
    // the (Latin) address: a right-to-left mark first sets the paragraph's direction.
    const bool rtl = GetLayoutDirection() == wxLayout_RightToLeft;
    message_->SetLabel(rtl ? wxString(wxUniChar(0x200F)) + text_ : text_);
    if (width > 100) message_->Wrap(width);
    Layout();
}

}  // namespace tern::ui
