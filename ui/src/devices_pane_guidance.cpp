#include "devices_pane_guidance.hpp"

#include "devices_pane_text.hpp"

#include <wx/checkbox.h>
#include <wx/intl.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

namespace tern::ui {
namespace {

constexpr int wrap_width = 620;

wxStaticText* wrapped(wxWindow* parent, const wxString& text, int width = wrap_width) {
    auto* label = new wxStaticText(parent, wxID_ANY, text);
    label->Wrap(width);
    return label;
}

// A label in another font. Its minimum size is measured here in that font: GTK measures a label
// created in the page before it applies the font, and a bigger text would be cut off.
wxStaticText* in_font(wxStaticText* label, const wxFont& font, const wxString& text) {
    label->SetFont(font);
    label->SetLabel(text);
    label->SetMinSize(label->GetTextExtent(text) + wxSize(4, 2));
    return label;
}

wxStaticText* heading(wxWindow* parent, const wxString& text) {
    auto* label = new wxStaticText(parent, wxID_ANY, "");
    return in_font(label, label->GetFont().Bold().Scaled(1.15f), text);
}

}  // namespace

wxSizer* advice_sizer(wxWindow* parent, const accounts::DeviceErrorAdvice& advice, int wrap) {
    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(wrapped(parent, core_text(advice.meaning), wrap), 0, wxBOTTOM, 4);
    for (const auto& step : advice.steps)
        sizer->Add(wrapped(parent, wxString::FromUTF8("\u2022 ") + core_text(step), wrap), 0, wxLEFT | wxBOTTOM, 2);
    return sizer;
}

ChecklistPage::ChecklistPage(wxWindow* parent)
    : wxScrolledWindow(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxVSCROLL, "checklist") {
    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(heading(this, _("Before pressing \"Get token\" on a device that signs in itself")), 0, wxALL, 12);
    for (const auto& item : accounts::admin_checklist()) {
        // The check marks are the admin's own notes while going through the list; they are not kept.
        auto* check = new wxCheckBox(this, wxID_ANY, core_text(item.title), wxDefaultPosition, wxDefaultSize, 0,
                                     wxDefaultValidator, wxString::FromUTF8("check-" + item.id));
        sizer->Add(check, 0, wxLEFT | wxRIGHT | wxTOP, 12);
        sizer->Add(wrapped(this, core_text(item.how)), 0, wxLEFT, 36);
    }
    SetSizer(sizer);
    SetScrollRate(0, 12);
}

TroubleshootingPage::TroubleshootingPage(wxWindow* parent)
    : wxScrolledWindow(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxVSCROLL, "troubleshooting") {
    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(heading(this, _("Error codes and what to do")), 0, wxALL, 12);
    sizer->Add(wrapped(this, _("Codes a device shows on its panel or in its Web Config (360, 361, 370), answers of "
                               "Exchange Online (5.7.x) and of the Microsoft identity platform (AADSTS).")),
               0, wxLEFT | wxRIGHT | wxBOTTOM, 12);
    auto* table = new wxFlexGridSizer(2, wxSize(16, 12));
    table->AddGrowableCol(1);
    for (const auto& advice : accounts::device_error_table()) {
        auto* code = new wxStaticText(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0,
                                      wxString::FromUTF8("code-" + advice.code));
        in_font(code, code->GetFont().Bold(), wxString::FromUTF8(advice.code));
        table->Add(code, 0);
        table->Add(advice_sizer(this, advice, wrap_width - 120), 1, wxEXPAND);
    }
    sizer->Add(table, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    SetSizer(sizer);
    SetScrollRate(0, 12);
}

}  // namespace tern::ui
