// The setup wizard as a person goes through it, against the test environment: carol's address
// finds the (test) Microsoft provider, "Sign in with Microsoft in your browser" opens the fake
// platform's page in a real headless Chromium (the BROWSER the program honours, as a desktop
// browser would be), and the account ends signed in, in the main window, with its folders synced.
// Also: the code for another device; a search cancelled; an address that is no address.
#include "gui_cli.hpp"
#include "gui_harness.hpp"

#include "composer_frame.hpp"
#include "devices_frame.hpp"
#include "main_frame.hpp"
#include "setup_wizard.hpp"

#include <catch2/catch.hpp>

#include <wx/button.h>
#include <wx/menu.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

using namespace tern;
using namespace tern::gui_test;

namespace {

// The BROWSER command: a script that starts headless Chromium on the URL in a process group of its
// own and returns at once (as test_cli_login.py's does); the destructor ends the group.
class HeadlessBrowser {
public:
    explicit HeadlessBrowser(const std::filesystem::path& dir) : dir_(dir) {
        const auto script = dir_ / "headless-browser";
        std::ofstream out(script);
        out << "#!/bin/sh\n"
               "DBUS_SESSION_BUS_ADDRESS=disabled: NO_AT_BRIDGE=1 setsid /usr/bin/chromium --headless --no-sandbox "
               "--disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update "
               "--disable-sync --password-store=basic --ignore-certificate-errors --user-data-dir="
            << shell_quote((dir_ / "chromium-profile").string()) << " \"$1\" >" << shell_quote((dir_ / "chromium.log").string())
            << " 2>&1 </dev/null &\necho $! >" << shell_quote((dir_ / "chromium.pid").string()) << "\n";
        out.close();
        std::filesystem::permissions(script, std::filesystem::perms::owner_all);
        ::setenv("BROWSER", (script.string() + " %s").c_str(), 1);
    }
    std::string log() const {
        std::ifstream in(dir_ / "chromium.log");
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    ~HeadlessBrowser() {
        ::unsetenv("BROWSER");
        std::ifstream in(dir_ / "chromium.pid");
        long pid = 0;
        if (in >> pid && pid > 1) ::kill(static_cast<pid_t>(-pid), SIGKILL);
    }

private:
    std::filesystem::path dir_;
};

// A loopback port that takes connections (the kernel completes them) and never says a word.
class SilentListener {
public:
    SilentListener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(fd_, 128) == 0);
        socklen_t length = sizeof address;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
    }
    ~SilentListener() { ::close(fd_); }
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

void press(wxWindow* root, const wxString& name) {
    auto* button = dynamic_cast<wxButton*>(root->FindWindow(name));
    REQUIRE(button != nullptr);
    REQUIRE(button->IsShownOnScreen());
    wxCommandEvent click(wxEVT_BUTTON, button->GetId());
    click.SetEventObject(button);
    button->GetEventHandler()->ProcessEvent(click);
}

void type_email(ui::SetupWizard* wizard, const std::string& email) {
    auto* field = dynamic_cast<wxTextCtrl*>(wizard->FindWindow("email"));
    REQUIRE(field != nullptr);
    field->SetValue(wxString::FromUTF8(email));
    press(wizard, "continue");
}

}  // namespace

TEST_CASE("setup wizard: a Microsoft-style account signed in through the browser, then synced", "[wizard][env]") {
    test::TestEnvironment env;
    use_environment(env);
    env.admin("/admin/reset", "{}");
    TempProfile home;
    HeadlessBrowser browser(home.dir());
    ui::DesktopOptions options;
    options.home = home.dir();
    // Started as `tern mailto:...` on a first run: the composer waits for the account.
    options.mailto = "mailto:alice@example.test?subject=Hello%20from%20the%20new%20account";
    ui::MailService service(ui::ProfileLocation{home.dir(), std::filesystem::path(env.get("TERN_PROVIDERS"))});
    auto* frame = new ui::MainFrame(options, service);
    frame->Show();
    // An empty profile opens the wizard by itself.
    REQUIRE(pump_until([&] { return frame->setup_wizard() != nullptr; }));
    auto* wizard = frame->setup_wizard();
    save_screenshot(wizard, "wizard-email");

    // Not an address: said on the first page.
    type_email(wizard, "carol-at-example");
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::Email && !wizard->error_text().empty(); }));
    CHECK(wizard->error_text().Contains("not an email address"));

    const auto carol = env.get("OAUTH_USER1");
    // The page signs in the user named by login_hint at once, as for a person already signed in to
    // Microsoft in their browser.
    env.admin("/admin/auto-approve", R"({"user": ")" + carol + R"(", "enabled": true})");
    type_email(wizard, carol);
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::SignIn; }));
    CHECK(dynamic_cast<wxStaticText*>(wizard->FindWindow("servers"))->GetLabel().Contains("IMAP"));
    save_screenshot(wizard, "wizard-sign-in");
    press(wizard, "sign-in-browser");
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::Working; }));
    save_screenshot(wizard, "wizard-browser-waiting");
    const bool answered = pump_until([&] { return wizard->step() != ui::SetupWizard::Step::Working; }, std::chrono::seconds(90));
    INFO("Chromium said:\n" << browser.log());
    REQUIRE(answered);
    INFO(wizard->error_text());
    REQUIRE(wizard->step() == ui::SetupWizard::Step::Done);
    REQUIRE(wizard->added());
    CHECK(wizard->added()->mode == accounts::AccountMode::OAuth);
    save_screenshot(wizard, "wizard-done");
    press(wizard, "finish");

    // The main window has the account and syncs it over XOAUTH2.
    REQUIRE(pump_until([&] {
        const auto& accounts = frame->folder_tree()->accounts();
        return accounts.size() == 1 && accounts[0].account.email == carol && !accounts[0].folders.empty();
    }, std::chrono::seconds(90)));
    save_screenshot(frame, "wizard-account-in-main-window");

    // The mailto: link's composer, from the new account.
    ui::ComposerFrame* composer = nullptr;
    REQUIRE(pump_until([&] {
        for (auto* window : wxTopLevelWindows)
            if (auto* c = dynamic_cast<ui::ComposerFrame*>(window); c && c->ready()) composer = c;
        return composer != nullptr;
    }));
    auto* subject = dynamic_cast<wxTextCtrl*>(composer->FindWindow("subject"));
    REQUIRE(subject != nullptr);
    CHECK(subject->GetValue() == "Hello from the new account");
    CHECK(dynamic_cast<wxTextCtrl*>(composer->FindWindow("to"))->GetValue() == "alice@example.test");
    save_screenshot(composer, "wizard-mailto-composer");
    ui::ComposerFrame::close_all();
    REQUIRE(pump_until([] { return ui::ComposerFrame::open_count() == 0; }));

    // Tools > Printers and scanners opens the devices pane (once: asking again raises it).
    const int devices_item = frame->GetMenuBar()->FindMenuItem(_("&Tools"), _("&Printers and scanners..."));
    REQUIRE(devices_item != wxNOT_FOUND);
    for (int i = 0; i < 2; ++i) {
        wxCommandEvent choose(wxEVT_MENU, devices_item);
        frame->GetEventHandler()->ProcessEvent(choose);
    }
    auto* devices = frame->show_devices();
    REQUIRE(devices != nullptr);
    std::size_t open_devices_windows = 0;
    for (auto* window : wxTopLevelWindows) open_devices_windows += dynamic_cast<ui::DevicesFrame*>(window) != nullptr;
    CHECK(open_devices_windows == 1);
    pump_for(std::chrono::milliseconds(300));
    save_screenshot(devices, "wizard-devices-window");
    frame->Destroy();
    pump_for(std::chrono::milliseconds(100));
}

TEST_CASE("setup wizard: the code for another device, and a search cancelled", "[wizard][env]") {
    test::TestEnvironment env;
    use_environment(env);
    env.admin("/admin/reset", "{}");
    env.admin("/admin/device/settings", R"({"interval": 1})");
    TempProfile home;
    ui::MailService service(ui::ProfileLocation{home.dir(), std::filesystem::path(env.get("TERN_PROVIDERS"))});
    auto* wizard = new ui::SetupWizard(nullptr, service);
    wizard->Show();
    pump_for(std::chrono::milliseconds(300));

    // A domain whose servers refuse every connection: the wizard says what it tried and what to do.
    ::setenv("TERN_AUTODETECT_HOSTS", "imap.nowhere.test=127.0.0.9,smtp.nowhere.test=127.0.0.9,mail.nowhere.test=127.0.0.9", 1);
    type_email(wizard, "someone@nowhere.test");
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::Email && !wizard->error_text().empty(); },
                       std::chrono::seconds(30)));
    CHECK(wizard->error_text().Contains("No IMAP or POP3 server found for nowhere.test"));
    // The next step is this wizard's own page for it.
    CHECK(wizard->error_text().Contains(_("Press \"Enter servers by hand...\" and type the servers your provider gives.")));
    save_screenshot(wizard, "wizard-nothing-found");

    // Servers that accept and never answer: the search runs (each probe waits) until Cancel.
    SilentListener silent;
    std::string ports;
    for (int port : {993, 143, 995, 110, 465, 587, 25})
        ports += (ports.empty() ? "" : ",") + std::to_string(port) + "=" + std::to_string(silent.port());
    ::setenv("TERN_AUTODETECT_HOSTS", "imap.nowhere.test=127.0.0.1,smtp.nowhere.test=127.0.0.1,mail.nowhere.test=127.0.0.1", 1);
    ::setenv("TERN_AUTODETECT_PORTS", ports.c_str(), 1);
    type_email(wizard, "someone@nowhere.test");
    REQUIRE(wizard->step() == ui::SetupWizard::Step::Searching);
    pump_for(std::chrono::milliseconds(300));
    REQUIRE(wizard->step() == ui::SetupWizard::Step::Searching);
    save_screenshot(wizard, "wizard-searching");
    const auto cancelled_at = std::chrono::steady_clock::now();
    press(wizard, "cancel-search");
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::Email; }, std::chrono::seconds(30)));
    // Well before the probes' own 3 s timeouts.
    CHECK(std::chrono::steady_clock::now() - cancelled_at < std::chrono::milliseconds(2500));
    CHECK(wizard->error_text() == _("Cancelled: nothing was added."));
    ::unsetenv("TERN_AUTODETECT_HOSTS");
    ::unsetenv("TERN_AUTODETECT_PORTS");

    const auto dave = env.get("OAUTH_USER2");
    type_email(wizard, dave);
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::SignIn; }));
    press(wizard, "sign-in-code");
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::DeviceCode; }, std::chrono::seconds(30)));
    // The code as the pane shows it, entered "on the phone": approved at the platform's admin side.
    wxTextCtrl* code = nullptr;
    std::function<void(wxWindow*)> find = [&](wxWindow* w) {
        for (auto* c : w->GetChildren()) {
            if (auto* t = dynamic_cast<wxTextCtrl*>(c); t && t->IsShownOnScreen() && !t->GetValue().empty()) code = t;
            find(c);
        }
    };
    find(wizard);
    REQUIRE(code != nullptr);
    save_screenshot(wizard, "wizard-device-code");
    env.admin("/admin/device/approve", R"({"user_code": ")" + code->GetValue().utf8_string() + R"(", "user": ")" + dave + R"("})");
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::Done; }, std::chrono::seconds(60)));
    CHECK(wizard->added()->email == dave);
    wizard->Destroy();
    pump_for(std::chrono::milliseconds(100));
    env.admin("/admin/reset", "{}");
}

namespace {

void type_into(wxWindow* root, const wxString& name, const wxString& text) {
    auto* field = dynamic_cast<wxTextCtrl*>(root->FindWindow(name));
    REQUIRE(field != nullptr);
    field->SetValue(text);
}

}  // namespace

TEST_CASE("setup wizard: servers typed by hand and a password, tested before the account is kept", "[wizard][env]") {
    test::TestEnvironment env;
    use_environment(env);
    TempProfile home;
    ui::MailService service(ui::ProfileLocation{home.dir(), std::filesystem::path(env.get("TERN_PROVIDERS"))});
    auto* wizard = new ui::SetupWizard(nullptr, service);
    wizard->Show();
    pump_for(std::chrono::milliseconds(300));

    const auto alice = env.get("PASSWORD_USER1");
    type_into(wizard, "email", wxString::FromUTF8(alice));
    press(wizard, "by-hand");
    REQUIRE(wizard->step() == ui::SetupWizard::Step::Manual);
    // Suggested from the address until the person types over them.
    CHECK(dynamic_cast<wxTextCtrl*>(wizard->FindWindow("incoming-host"))->GetValue() == "imap.example.test");
    CHECK(dynamic_cast<wxTextCtrl*>(wizard->FindWindow("incoming-port"))->GetValue() == "993");
    CHECK(dynamic_cast<wxTextCtrl*>(wizard->FindWindow("smtp-port"))->GetValue() == "587");

    // A port that is no port is said on the page.
    type_into(wizard, "incoming-host", "127.0.0.1");
    type_into(wizard, "incoming-port", "99999");
    press(wizard, "manual-continue");
    CHECK(wizard->step() == ui::SetupWizard::Step::Manual);
    CHECK(wizard->error_text() == wxString::Format(_("The %s port must be a number from 1 to 65535."), "IMAP"));

    type_into(wizard, "incoming-port", wxString::FromUTF8(env.get("IMAPS_PORT")));
    type_into(wizard, "smtp-host", "127.0.0.1");
    type_into(wizard, "smtp-port", wxString::FromUTF8(env.get("SUBMISSION_PORT")));
    save_screenshot(wizard, "wizard-by-hand");
    press(wizard, "manual-continue");
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::SignIn; }, std::chrono::seconds(30)));
    // Exactly the servers typed (the address's provider has a POP3 server too: not used).
    const auto servers = dynamic_cast<wxStaticText*>(wizard->FindWindow("servers"))->GetLabel();
    CHECK(servers.Contains("IMAP  127.0.0.1:" + wxString::FromUTF8(env.get("IMAPS_PORT"))));
    CHECK(servers.Contains("SMTP  127.0.0.1:" + wxString::FromUTF8(env.get("SUBMISSION_PORT"))));
    CHECK_FALSE(servers.Contains("POP3"));

    // A wrong password: the server's refusal on the sign-in page, nothing kept.
    type_into(wizard, "password", "not-the-password");
    press(wizard, "sign-in-password");
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::SignIn && !wizard->error_text().empty(); },
                       std::chrono::seconds(60)));
    INFO(wizard->error_text());
    CHECK(wizard->added() == std::nullopt);
    save_screenshot(wizard, "wizard-wrong-password");

    type_into(wizard, "password", wxString::FromUTF8(env.get("PASSWORD_USER1_PASSWORD")));
    press(wizard, "sign-in-password");
    REQUIRE(pump_until([&] { return wizard->step() == ui::SetupWizard::Step::Done; }, std::chrono::seconds(60)));
    REQUIRE(wizard->added());
    CHECK(wizard->added()->email == alice);
    CHECK(wizard->added()->mode == accounts::AccountMode::Password);
    save_screenshot(wizard, "wizard-password-done");
    wizard->Destroy();
    pump_for(std::chrono::milliseconds(100));
}
