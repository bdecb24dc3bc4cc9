#include "composer_address_popup.hpp"

#include <wx/listbox.h>
#include <wx/sizer.h>
#include <wx/textctrl.h>

#include <algorithm>

namespace tern::ui {

AddressPopup::AddressPopup(wxTextCtrl* field, Complete complete)
    : wxPopupWindow(field, wxBORDER_SIMPLE), field_(field), complete_(std::move(complete)) {
    list_ = new wxListBox(this, wxID_ANY);
    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(list_, 1, wxEXPAND);
    SetSizer(sizer);
    field_->Bind(wxEVT_TEXT, [this](wxCommandEvent& event) {
        event.Skip();
        if (!taking_) update();
    });
    field_->Bind(wxEVT_KEY_DOWN, &AddressPopup::on_key, this);
    field_->Bind(wxEVT_KILL_FOCUS, [this](wxFocusEvent& event) {
        event.Skip();
        CallAfter([this] {
            const auto* focus = wxWindow::FindFocus();
            if (focus != list_ && focus != field_) Hide();
        });
    });
    list_->Bind(wxEVT_LISTBOX_DCLICK, [this](wxCommandEvent&) { take(); });
    list_->Bind(wxEVT_LEFT_UP, [this](wxMouseEvent& event) {
        event.Skip();
        CallAfter([this] { take(); });
    });
}

std::vector<wxString> AddressPopup::offers() const {
    std::vector<wxString> out;
    if (IsShown())
        for (unsigned i = 0; i < list_->GetCount(); ++i) out.push_back(list_->GetString(i));
    return out;
}

void AddressPopup::update() {
    offers_ = complete_(field_->GetValue());
    if (offers_.empty() || !field_->HasFocus() || !field_->IsEditable()) {
        Hide();
        return;
    }
    list_->Clear();
    for (const auto& offer : offers_) {
        const auto cut = offer.find_last_of(",;");
        list_->Append(cut == wxString::npos ? offer : offer.Mid(cut + 1).Strip(wxString::leading));
    }
    list_->SetSelection(0);
    const int row = list_->GetCharHeight() + 8;
    const wxSize size(field_->GetSize().GetWidth(), row * static_cast<int>(offers_.size()) + 6);
    SetSize(size);
    Layout();
    Position(field_->GetScreenPosition(), wxSize(0, field_->GetSize().GetHeight()));
    Show();
}

void AddressPopup::take() {
    const int chosen = list_->GetSelection();
    if (!IsShown() || chosen == wxNOT_FOUND || chosen >= static_cast<int>(offers_.size())) return;
    Hide();
    // Focus first: GTK selects an entry's whole text when it gets focus, and the next key
    // would replace it. After a click the focus comes back later, hence the second move.
    if (!field_->HasFocus()) field_->SetFocus();
    taking_ = true;
    field_->ChangeValue(offers_[static_cast<std::size_t>(chosen)] + ", ");
    field_->SetInsertionPointEnd();
    taking_ = false;
    CallAfter([this] { field_->SetInsertionPointEnd(); });
}

void AddressPopup::on_key(wxKeyEvent& event) {
    if (!IsShown()) {
        event.Skip();
        return;
    }
    const int count = static_cast<int>(list_->GetCount());
    switch (event.GetKeyCode()) {
    case WXK_DOWN:
        list_->SetSelection(std::min(list_->GetSelection() + 1, count - 1));
        break;
    case WXK_UP:
        list_->SetSelection(std::max(list_->GetSelection() - 1, 0));
        break;
    case WXK_RETURN:
    case WXK_NUMPAD_ENTER:
    case WXK_TAB:
        take();
        break;
    case WXK_ESCAPE:
        Hide();
        break;
    default:
        event.Skip();
    }
}

}  // namespace tern::ui
