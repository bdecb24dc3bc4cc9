// The devices pane against the real fake Microsoft identity platform and Dovecot of tests/env: a
// relayed printer added through the pane's dialog is signed in by device code from the pane (the
// code read from the pane, approved at the platform's admin side) until the list says Acquired,
// then Delete token makes it Not acquired; a cancelled sign-in ends Not acquired and a missing
// consent Invalid, each with the core's words; "Test this mailbox" on a device that signs in
// itself tries SMTP AUTH XOAUTH2 on Dovecot; the pane laid out right to left. The pane's own words
// are compared in the language of the run (the pane's msgids through the catalog); the core's
// (errors, the server's reply) as they are, in English.
#include "gui_cli.hpp"
#include "gui_harness.hpp"

#include "../integration_cpp/env_file.hpp"
#include "devices_frame.hpp"
#include "devices_pane_add_dialog.hpp"
#include "devices_pane.hpp"

#include <catch2/catch.hpp>

#include <gtk/gtk.h>

#include <wx/button.h>
#include <wx/dialog.h>
#include <wx/frame.h>
#include <wx/hyperlink.h>
#include <wx/intl.h>
#include <wx/listctrl.h>
#include <wx/notebook.h>
#include <wx/panel.h>
#include <wx/radiobox.h>
#include <wx/scrolwin.h>
#include <wx/sizer.h>
#include <wx/statbmp.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <string>

using namespace tern;
using namespace tern::gui_test;

namespace {

constexpr int token_column = 4;
const char* relayed_name = "2nd floor MFP";
const char* self_name = "Lobby scanner";

template <typename T>
T* find(wxWindow* parent, const char* name) {
    auto* window = wxWindow::FindWindowByName(name, parent);
    INFO("no window named " << name);
    REQUIRE(window != nullptr);
    auto* typed = dynamic_cast<T*>(window);
    REQUIRE(typed != nullptr);
    return typed;
}

std::string text(const wxString& s) { return s.ToStdString(wxConvUTF8); }

// A label as it reads before Wrap() broke its lines (the pane wraps its status and results).
std::string unwrapped(const wxString& label) {
    wxString joined = label;
    joined.Replace("\n", " ");
    return text(joined);
}

// The token column's words for a state, in the run's language (the pane's msgids).
std::string token_words(accounts::TokenState state) {
    switch (state) {
        case accounts::TokenState::NotAcquired: return text(_("Not acquired"));
        case accounts::TokenState::WaitingForAuthorization: return text(_("Waiting for authorization"));
        case accounts::TokenState::Acquired: return text(_("Acquired"));
        case accounts::TokenState::Invalid: return text(_("Invalid"));
    }
    return {};
}

// What a click on the button does (its handler runs now, as for a person's click).
void click(wxWindow* button) {
    wxCommandEvent event(wxEVT_BUTTON, button->GetId());
    event.SetEventObject(button);
    button->GetEventHandler()->ProcessEvent(event);
}

// tern-cli on the test's profile, with the environment's providers; fails the test, with what it
// said, unless it succeeds.
void cli(const TempProfile& home, const std::string& args) { output_of(tern_cli(home.dir()) + " " + args + " 2>&1"); }

struct PaneFixture {
    tern::test::TestEnvironment env;
    TempProfile home;
    std::string carol = env.get("OAUTH_USER1");
    std::unique_ptr<ui::MailService> service;
    ui::DevicesFrame* frame = nullptr;
    ui::DevicesPane* pane = nullptr;
    wxListCtrl* list = nullptr;

    PaneFixture() {
        use_environment(env);  // the platform's and Dovecot's CA, for the pane and tern-cli
        env.admin("/admin/reset", "{}");
        env.admin("/admin/device/settings", R"({"interval": 1})");
        service = std::make_unique<ui::MailService>(
            ui::ProfileLocation{home.dir(), std::filesystem::path(env.get("TERN_PROVIDERS"))});
    }

    ~PaneFixture() {
        if (frame) frame->Destroy();
        pump_for(std::chrono::milliseconds(50));
        service.reset();
        // Their secrets leave the private keyring the tests share.
        for (const char* name : {relayed_name, self_name})  // not every test adds both: failures are fine
            run_with_input(tern_cli(home.dir()) + " device remove " + shell_quote(name) + " >/dev/null 2>&1");
    }

    void open() {
        frame = new ui::DevicesFrame(nullptr, *service);
        frame->Show();
        pane = frame->pane();
        list = find<wxListCtrl>(pane, "devices-list");
    }

    long row_of(const std::string& name) const {
        for (long row = 0; row < list->GetItemCount(); ++row)
            if (text(list->GetItemText(row)) == name) return row;
        return -1;
    }
    std::string token_of(const std::string& name) const {
        const long row = row_of(name);
        return row < 0 ? std::string() : text(list->GetItemText(row, token_column));
    }
    const accounts::Device* device(const std::string& name) const {
        for (const auto& d : pane->devices())
            if (d.name == name) return &d;
        return nullptr;
    }
    std::string status() const { return unwrapped(find<wxStaticText>(pane, "devices-status")->GetLabel()); }
    void select(const std::string& name) {
        const long row = row_of(name);
        REQUIRE(row >= 0);
        list->SetItemState(row, wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED,
                           wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED);
        pump_for(std::chrono::milliseconds(50));
    }
    // Waits until `name` is listed; says what the pane says if it is not.
    void wait_listed(const std::string& name) {
        const bool listed = pump_until([&] { return row_of(name) >= 0; });
        INFO("the pane says: " << status());
        REQUIRE(listed);
    }
    // The registry's state for `name` is `state` and the list says so in words.
    bool has_token(const std::string& name, accounts::TokenState state) const {
        const auto* d = device(name);
        return d && d->token_state == state && token_of(name) == token_words(state);
    }
    // Waits until `name` has the token `state`; says what the list and the pane say if it does not.
    void wait_token(const std::string& name, accounts::TokenState state) {
        const bool shown = pump_until([&] { return has_token(name, state); }, std::chrono::seconds(40));
        INFO("expected " << token_words(state) << "; the list says " << token_of(name) << "; the pane says: " << status());
        REQUIRE(shown);
    }
};

void fill_add_dialog(wxWindow* dialog, const std::string& name, const std::string& mailbox) {
    find<wxTextCtrl>(dialog, "device-name")->SetValue(wxString::FromUTF8(name));
    find<wxTextCtrl>(dialog, "device-model")->SetValue("Brother MFC-L8900CDW");
    find<wxTextCtrl>(dialog, "device-mailbox")->SetValue(wxString::FromUTF8(mailbox));
    find<wxTextCtrl>(dialog, "device-address")->SetValue("192.168.1.40");
    find<wxRadioBox>(dialog, "device-kind")->SetSelection(1);
}

// Fills the Add device dialog when it opens (inside its modal loop) and presses its OK button,
// which checks the fields and ends the dialog as a person's click does.
void add_through_dialog(wxWindow* pane, const std::string& name, const std::string& mailbox) {
    bool filled = false;
    wxTheApp->CallAfter([name, mailbox, &filled] {
        auto* dialog = dynamic_cast<wxDialog*>(wxWindow::FindWindowByName("add-device-dialog"));
        if (!dialog || !dialog->IsModal()) return;  // the test fails below
        fill_add_dialog(dialog, name, mailbox);
        filled = true;
        click(dialog->FindWindow(wxID_OK));
    });
    click(find<wxButton>(pane, "add-device"));
    REQUIRE(filled);
}

// The dialog as a person sees it, shown on its own (not modal) for its screenshot.
void screenshot_add_dialog(wxWindow* parent, const std::string& mailbox) {
    auto* dialog = new ui::AddDeviceDialog(parent);
    fill_add_dialog(dialog, relayed_name, mailbox);
    dialog->Show();
    pump_until([&] { return dialog->IsShownOnScreen(); });
    save_screenshot(dialog, "devices-add-dialog");
    dialog->Destroy();
    pump_for(std::chrono::milliseconds(100));
}

}  // namespace

TEST_CASE("devices pane: a relayed printer is signed in by device code, then its token deleted", "[devices]") {
    PaneFixture f;
    cli(f.home, "device add " + shell_quote(self_name) + " --mailbox " + shell_quote(f.carol) +
                    " --kind self --address 192.168.1.41");
    f.open();
    f.wait_listed(self_name);
    CHECK(f.has_token(self_name, accounts::TokenState::NotAcquired));
    CHECK(f.token_of(self_name) == text(_("Not acquired")));
    CHECK(text(f.list->GetItemText(f.row_of(self_name), 2)) == text(_("Signs in itself")));

    screenshot_add_dialog(f.frame, f.carol);
    add_through_dialog(f.pane, relayed_name, f.carol);
    f.wait_listed(relayed_name);
    const long row = f.row_of(relayed_name);
    CHECK(text(f.list->GetItemText(row, 1)) == "Brother MFC-L8900CDW");
    CHECK(text(f.list->GetItemText(row, 2)) == text(_("Relayed by Tern")));
    CHECK(text(f.list->GetItemText(row, 3)) == f.carol);
    CHECK(f.has_token(relayed_name, accounts::TokenState::NotAcquired));
    CHECK(f.token_of(relayed_name) == text(_("Not acquired")));
    CHECK(text(f.list->GetItemText(row, 7)) == "0 / 0 / 0");
    CHECK(f.status() == text(wxString::Format(_("Added %s. Next: \"Get token\" signs its mailbox in; its relay user name and "
                                                "password are on the Relay page."),
                                              relayed_name)));
    // The new device is the one selected: Get token is for it.
    REQUIRE(pump_until([&] { return f.list->GetItemState(f.row_of(relayed_name), wxLIST_STATE_SELECTED) != 0; }));
    auto* get_token = find<wxButton>(f.pane, "get-token");
    CHECK(get_token->IsEnabled());
    CHECK_FALSE(find<wxButton>(f.pane, "test-mailbox")->IsEnabled());  // the relayed device's test is its sign-in
    save_screenshot(f.frame, "devices-pane-list");

    // Get token: the code, the link, its QR code and the countdown.
    click(get_token);
    auto* code = find<wxTextCtrl>(f.pane, "sign-in-code");
    REQUIRE(pump_until([&] { return !code->GetValue().empty() && code->IsShownOnScreen(); }));
    const std::string user_code = text(code->GetValue());
    auto* link = find<wxHyperlinkCtrl>(f.pane, "sign-in-link");
    CHECK_THAT(text(link->GetURL()), Catch::StartsWith(f.env.get("IDP_URL")));
    const wxBitmap qr = find<wxStaticBitmap>(f.pane, "sign-in-qr")->GetBitmap();
    REQUIRE(qr.IsOk());
    CHECK(qr.GetWidth() >= 100);
    CHECK(qr.GetWidth() == qr.GetHeight());
    auto* countdown = find<wxStaticText>(f.pane, "sign-in-countdown");
    CHECK(has_translated_form(text(countdown->GetLabel()), "Waiting for authorization: the code expires in %ld:%02ld"));
    f.wait_token(relayed_name, accounts::TokenState::WaitingForAuthorization);
    CHECK_FALSE(get_token->IsEnabled());  // one sign-in at a time
    const std::string first_count = text(countdown->GetLabel());
    REQUIRE(pump_until([&] { return text(countdown->GetLabel()) != first_count; }, std::chrono::seconds(5)));
    save_screenshot(f.frame, "devices-sign-in-code");

    // The admin signs in at the link with that code.
    f.env.admin("/admin/device/approve", R"({"user_code": ")" + user_code + R"(", "user": ")" + f.carol + R"("})");
    f.wait_token(relayed_name, accounts::TokenState::Acquired);
    CHECK_FALSE(code->IsShownOnScreen());
    CHECK(f.status() == text(wxString::Format(_("%s is signed in: its token is %s."), relayed_name, _("Acquired"))));
    CHECK(text(f.list->GetItemText(f.row_of(relayed_name), 5)) != text(_("Never")));  // last refresh
    CHECK(f.device(relayed_name)->last_refresh.has_value());
    CHECK(text(find<wxStaticText>(f.pane, "device-token-state")->GetLabel()) ==
          text(wxString::Format(_("Token: %s"), _("Acquired"))));
    CHECK(find<wxStaticText>(f.pane, "device-token-state")->GetForegroundColour() == wxColour(0x2E, 0x7D, 0x32));
    save_screenshot(f.frame, "devices-acquired");

    // The relay settings: listen address, fingerprint, the device's user; the password only on request.
    auto* notebook = find<wxNotebook>(f.pane, "devices-notebook");
    notebook->SetSelection(1);
    auto* fingerprint = find<wxTextCtrl>(f.pane, "relay-fingerprint");
    const bool loaded = pump_until([&] { return !fingerprint->GetValue().empty(); });
    INFO("the relay page says: " << text(find<wxStaticText>(f.pane, "relay-status")->GetLabel()));
    REQUIRE(loaded);
    CHECK(fingerprint->GetValue().Freq(':') == 31);  // 32 bytes of SHA-256
    CHECK(text(find<wxTextCtrl>(f.pane, "relay-host")->GetValue()) == "127.0.0.1");
    CHECK(text(find<wxTextCtrl>(f.pane, "relay-user")->GetValue()) == "relay-2nd-floor-mfp");
    auto* password = find<wxTextCtrl>(f.pane, "relay-password");
    CHECK(text(password->GetValue()) == text(_("(hidden)")));
    save_screenshot(f.frame, "devices-relay");
    click(find<wxButton>(f.pane, "relay-reveal"));
    REQUIRE(pump_until([&] { return password->GetValue().length() == 24; }));
    CHECK(password->GetValue().find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == wxString::npos);
    notebook->SetSelection(0);

    // Delete token.
    auto* delete_token = find<wxButton>(f.pane, "delete-token");
    REQUIRE(delete_token->IsEnabled());
    click(delete_token);
    f.wait_token(relayed_name, accounts::TokenState::NotAcquired);
    CHECK(f.status() == text(wxString::Format(_("%s: token deleted (%s)."), relayed_name, _("Not acquired"))));
    CHECK_FALSE(delete_token->IsEnabled());
    save_screenshot(f.frame, "devices-token-deleted");

    // A sign-in cancelled from the pane ends Not acquired, with the core's words.
    click(get_token);
    REQUIRE(pump_until([&] { return code->IsShownOnScreen() && text(code->GetValue()) != user_code; }));
    f.wait_token(relayed_name, accounts::TokenState::WaitingForAuthorization);
    click(find<wxButton>(f.pane, "sign-in-cancel"));
    REQUIRE(pump_until([&] { return !f.pane->signing_in(); }));
    f.wait_token(relayed_name, accounts::TokenState::NotAcquired);
    CHECK_THAT(f.status(), Catch::Contains("ancel"));  // the core's error, in its words
    CHECK(f.status() != "failed");

    // An organisation where nobody consented to the app: Invalid, with the reason and what to do.
    click(get_token);
    REQUIRE(pump_until([&] { return code->IsShownOnScreen() && text(code->GetValue()) != user_code; }));
    f.env.admin("/admin/fail-next", R"({"error": "consent_required"})");
    REQUIRE(pump_until([&] {
        const auto* d = f.device(relayed_name);
        return d && d->token_state == accounts::TokenState::Invalid;
    }, std::chrono::seconds(40)));
    // The list and the details: the state in the pane's words, the reason in the core's.
    const auto reason = f.device(relayed_name)->token_reason;
    REQUIRE(reason);
    CHECK_FALSE(reason->empty());
    CHECK(f.token_of(relayed_name) == text(wxString::Format(_("%s: %s"), _("Invalid"), wxString::FromUTF8(*reason))));
    CHECK_THAT(text(f.list->GetItemText(f.row_of(relayed_name), 6)), Catch::Contains("AADSTS65001"));
    CHECK(unwrapped(find<wxStaticText>(f.pane, "device-token-state")->GetLabel()) ==
          text(wxString::Format(_("Token: %s. %s"), _("Invalid"), wxString::FromUTF8(*reason))));
    CHECK(find<wxStaticText>(f.pane, "device-token-state")->GetForegroundColour() == wxColour(0xC6, 0x28, 0x28));
    CHECK(find<wxPanel>(f.pane, "device-advice")->GetChildren().GetCount() > 0);  // the table's steps for 65001
    CHECK(f.status() != "failed");
    CHECK_FALSE(f.status().empty());
    save_screenshot(f.frame, "devices-invalid");

    // The reference pages.
    notebook->SetSelection(2);
    CHECK(wxWindow::FindWindowByName("check-smtp-auth", f.pane) != nullptr);
    save_screenshot(f.frame, "devices-checklist");
    notebook->SetSelection(3);
    for (const char* code_name : {"code-360", "code-361", "code-370", "code-5.7.139"})
        CHECK(wxWindow::FindWindowByName(code_name, f.pane) != nullptr);
    save_screenshot(f.frame, "devices-troubleshooting");
    // Further down: 370 and 5.7.139 (SMTP AUTH turned off for the tenant or the mailbox).
    auto* table = find<wxScrolledWindow>(f.pane, "troubleshooting");
    int unit_x = 0, unit_y = 0;
    table->GetScrollPixelsPerUnit(&unit_x, &unit_y);
    REQUIRE(unit_y > 0);
    auto* code_370 = wxWindow::FindWindowByName("code-370", f.pane);
    table->Scroll(0, (code_370->GetPosition().y + table->GetViewStart().y * unit_y - 12) / unit_y);
    save_screenshot(f.frame, "devices-troubleshooting-5.7.139");
}

TEST_CASE("devices pane: Test this mailbox signs a self-signing device's mailbox in and tries SMTP AUTH",
          "[devices]") {
    PaneFixture f;
    cli(f.home, "device add " + shell_quote(self_name) + " --mailbox " + shell_quote(f.carol) + " --kind self");
    f.open();
    f.wait_listed(self_name);
    f.select(self_name);
    auto* test = find<wxButton>(f.pane, "test-mailbox");
    REQUIRE(pump_until([&] { return test->IsEnabled(); }));
    CHECK_FALSE(find<wxButton>(f.pane, "get-token")->IsEnabled());
    click(test);
    auto* code = find<wxTextCtrl>(f.pane, "sign-in-code");
    REQUIRE(pump_until([&] { return !code->GetValue().empty() && code->IsShownOnScreen(); }));
    save_screenshot(f.frame, "devices-test-code");
    f.env.admin("/admin/device/approve",
                R"({"user_code": ")" + text(code->GetValue()) + R"(", "user": ")" + f.carol + R"("})");
    auto* result = find<wxStaticText>(f.pane, "device-test-result");
    REQUIRE(pump_until([&] { return !result->GetLabel().empty(); }, std::chrono::seconds(60)));
    const std::string passed = unwrapped(result->GetLabel());
    INFO(passed << " / " << f.status());
    // The pane's sentence around the mailbox, the server and the server's own reply.
    CHECK(has_translated_form(passed, "Test passed: %s signed in to %s with XOAUTH2, so SMTP AUTH works for this "
                                      "mailbox. The server answered: %s"));
    CHECK_THAT(passed, Catch::Contains(f.carol + " ") && Catch::Contains("127.0.0.1:" + f.env.get("SUBMISSION_PORT")));
    CHECK_THAT(passed, Catch::Contains(": 235 "));  // the server's reply to AUTH: accepted
    CHECK(f.status() == text(wxString::Format(_("%s: the mailbox test passed."), self_name)));
    CHECK(f.has_token(self_name, accounts::TokenState::NotAcquired));  // the test keeps no token
    CHECK(f.token_of(self_name) == text(_("Not acquired")));
    save_screenshot(f.frame, "devices-test-passed");
}

TEST_CASE("devices pane: laid out right to left, the buttons start on the right", "[devices]") {
    // What wx does for Arabic: GTK's default direction right to left, so that every widget made
    // from now on mirrors, and the window itself right to left (the Arabic locale itself is not
    // installed here).
    struct Restore {
        ~Restore() { gtk_widget_set_default_direction(GTK_TEXT_DIR_LTR); }
    } restore;
    gtk_widget_set_default_direction(GTK_TEXT_DIR_RTL);

    PaneFixture f;
    cli(f.home, "device add " + shell_quote(self_name) + " --mailbox " + shell_quote(f.carol) + " --kind self");
    auto* frame = new wxFrame(nullptr, wxID_ANY, "Devices", wxDefaultPosition, wxSize(1180, 860));
    frame->SetLayoutDirection(wxLayout_RightToLeft);
    f.pane = new ui::DevicesPane(frame, *f.service);
    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(f.pane, 1, wxEXPAND);
    frame->SetSizer(sizer);
    frame->Show();
    f.list = find<wxListCtrl>(f.pane, "devices-list");
    struct Close {
        wxFrame* frame;
        ~Close() { frame->Destroy(); }
    } close{frame};
    f.wait_listed(self_name);
    CHECK(f.pane->GetLayoutDirection() == wxLayout_RightToLeft);
    // The row of buttons runs from the right: Add device, Get token, Test this mailbox, Delete token.
    // (Compared by their x alone: wxGTK reports right-to-left windows' rectangles shifted.)
    const int add = find<wxButton>(f.pane, "add-device")->GetScreenPosition().x;
    const int get_token = find<wxButton>(f.pane, "get-token")->GetScreenPosition().x;
    const int test = find<wxButton>(f.pane, "test-mailbox")->GetScreenPosition().x;
    const int delete_token = find<wxButton>(f.pane, "delete-token")->GetScreenPosition().x;
    INFO(add << " " << get_token << " " << test << " " << delete_token);
    CHECK(add > get_token);
    CHECK(get_token > test);
    CHECK(test > delete_token);
    save_screenshot(frame, "devices-pane-rtl");
}
