// The languages of the windows (ui_language): the words come from the compiled catalogs of
// resources/po, Arabic lays the windows out right to left, and an unknown language is English.
// Each case switches the language and puts back the one the run is in (TERN_GUI_LANG).
#include "gui_harness.hpp"
#include "ui_language.hpp"

#include <catch2/catch.hpp>

#include <wx/app.h>
#include <wx/button.h>
#include <wx/frame.h>
#include <wx/intl.h>
#include <wx/panel.h>
#include <wx/sizer.h>

#include <cstddef>
#include <string>

using namespace tern;
using namespace tern::gui_test;

namespace {

struct RestoreLanguage {
    ~RestoreLanguage() { ui::apply_ui_language(test_language()); }
};

std::string text(const wxString& s) { return s.utf8_string(); }

// A window with two buttons in a row, "first" then "second" in the sizer's order.
struct ButtonRow {
    wxFrame* frame = new wxFrame(nullptr, wxID_ANY, _("Devices"), wxDefaultPosition, wxSize(420, 120));
    wxButton* first = nullptr;
    wxButton* second = nullptr;

    ButtonRow() {
        auto* panel = new wxPanel(frame);
        first = new wxButton(panel, wxID_ANY, _("Get token"));
        second = new wxButton(panel, wxID_ANY, _("Cancel"));
        auto* row = new wxBoxSizer(wxHORIZONTAL);
        row->Add(first, 0, wxALL, 8);
        row->Add(second, 0, wxALL, 8);
        panel->SetSizer(row);
        frame->Show();
        frame->Layout();
        pump_for(std::chrono::milliseconds(200));
    }
    ~ButtonRow() { frame->Destroy(); }
};

}  // namespace

TEST_CASE("languages: Czech words and plurals come from the catalog", "[languages]") {
    RestoreLanguage restore;
    REQUIRE(ui::apply_ui_language(std::string("cs")) == "cs");
    CHECK(text(_("Cancel")) == "Zrušit");
    CHECK(text(_("&Quit\tCtrl+Q")) == "U&končit\tCtrl+Q");
    const auto messages = [](std::size_t n) {
        return text(wxString::Format(wxPLURAL("%zu message", "%zu messages", n), n));
    };
    CHECK(messages(1) == "1 zpráva");
    CHECK(messages(3) == "3 zprávy");
    CHECK(messages(5) == "5 zpráv");
    // The device guidance of accounts/ reaches the catalog too (the devices pane looks it up).
    CHECK(text(wxGetTranslation("Sign the device in again.")) == "Přihlaste zařízení znovu.");
    CHECK(wxTheApp->GetLayoutDirection() == wxLayout_LeftToRight);
}

TEST_CASE("languages: Greek and Swedish catalogs load", "[languages]") {
    RestoreLanguage restore;
    REQUIRE(ui::apply_ui_language(std::string("el")) == "el");
    CHECK(text(_("Inbox")) == "Εισερχόμενα");
    REQUIRE(ui::apply_ui_language(std::string("sv_SE")) == "sv_SE");  // a region falls back to the language
    CHECK(text(_("Inbox")) == "Inkorg");
}

TEST_CASE("languages: Arabic lays the windows out right to left", "[languages]") {
    RestoreLanguage restore;
    REQUIRE(ui::apply_ui_language(std::string("ar")) == "ar");
    CHECK(wxTheApp->GetLayoutDirection() == wxLayout_RightToLeft);
    CHECK(text(_("Cancel")) == "إلغاء");
    const auto messages = [](std::size_t n) {
        return text(wxString::Format(wxPLURAL("%zu message", "%zu messages", n), n));
    };
    CHECK(messages(7) == "7 رسائل");  // 3 to 10: the plural
    CHECK(messages(11) == "11 رسالة");  // 11 to 99: the singular

    ButtonRow row;
    CHECK(row.frame->GetLayoutDirection() == wxLayout_RightToLeft);
    // The first button of the row is the rightmost. (Compared by x alone: wxGTK reports
    // right-to-left windows' rectangles shifted.)
    const int first = row.first->GetScreenPosition().x;
    const int second = row.second->GetScreenPosition().x;
    INFO(first << " " << second);
    CHECK(first > second);
    save_screenshot(row.frame, "languages-arabic-button-row");
}

TEST_CASE("languages: an unknown language, or one without a catalog, is English", "[languages]") {
    RestoreLanguage restore;
    CHECK(ui::apply_ui_language(std::string("xx-nonsense")) == "en");
    CHECK(text(_("Cancel")) == "Cancel");
    CHECK(ui::apply_ui_language(std::string("de")) == "en");  // German: wx knows it, Tern has no catalog
    CHECK(text(_("Cancel")) == "Cancel");
    ButtonRow row;
    CHECK(row.frame->GetLayoutDirection() == wxLayout_LeftToRight);
    CHECK(row.first->GetScreenPosition().x < row.second->GetScreenPosition().x);
}
