// The main window on real profiles: what a person sees first, then reading, searching, flags and
// deleting on a mailbox of the test environment's Dovecot, and the reader's HTML policy against a
// local web server that counts what it is asked for.
#include "gui_cli.hpp"
#include "gui_harness.hpp"

#include "main_frame.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <wx/srchctrl.h>
#include <wx/stattext.h>
#include <wx/menu.h>
#include <wx/textctrl.h>
#include <wx/webview.h>

#include <atomic>
#include <cstdio>
#include <thread>

using namespace tern;
using namespace tern::gui_test;

TEST_CASE("main window: an empty profile says there are no accounts yet", "[main]") {
    TempProfile home;
    ui::DesktopOptions options;
    options.home = home.dir();
    ui::MailService service(ui::ProfileLocation{home.dir(), std::nullopt});
    auto* frame = new ui::MainFrame(options, service);
    frame->Show();
    REQUIRE(pump_until([&] { return frame->GetStatusBar()->GetStatusText().Contains("tern-cli account add"); }));
    CHECK(frame->folder_tree()->accounts().empty());
    CHECK(frame->message_list()->size() == 0);
    CHECK_FALSE(frame->fallback_banner_shown());
    save_screenshot(frame, "main-window-empty");
    frame->Destroy();
    pump_for(std::chrono::milliseconds(50));
}

namespace {

// A web server on loopback that answers everything (with nothing) and counts the requests.
class CountingWebServer {
public:
    CountingWebServer() {
        server_.Get(".*", [this](const httplib::Request& request, httplib::Response& response) {
            ++requests_;
            if (request.path == "/script-ran") ++script_requests_;
            response.set_content("/* nothing */", request.path.size() > 4 && request.path.substr(request.path.size() - 4) == ".css" ? "text/css" : "image/gif");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~CountingWebServer() {
        server_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int requests() const { return requests_; }
    int script_requests() const { return script_requests_; }

private:
    httplib::Server server_;
    int port_ = 0;
    std::atomic<int> requests_{0}, script_requests_{0};
    std::thread thread_;
};

// A profile with alice's password account (the example provider of the environment) and a folder
// of her mailbox filled by seed_folder.py.
struct MailboxProfile {
    test::TestEnvironment env;
    TempProfile home;
    std::string folder = "gui-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand() % 100000);

    MailboxProfile() { add_password_account(env, home.dir(), env.get("PASSWORD_USER1"), env.get("PASSWORD_USER1_PASSWORD")); }
    ~MailboxProfile() {
        // The shared mailbox keeps no folder of ours.
        if (seeded) run_with_input(seed_command(0) + " --delete");
    }
    std::string seed_command(int count) const {
        return std::string("python3 ") + TERN_SOURCE_DIR + "/tests/gui/seed_folder.py " + env.get("PASSWORD_USER1") +
               " '" + env.get("PASSWORD_USER1_PASSWORD") + "' " + folder + " " + std::to_string(count);
    }
    void seed(int count, const std::string& html_remote = {}) {
        std::string command = seed_command(count);
        if (!html_remote.empty()) command += " --html-remote " + html_remote;
        REQUIRE(run_with_input(command) == 0);
        seeded = true;
    }
    bool seeded = false;
    ui::ProfileLocation location() const { return {home.dir(), std::filesystem::path(env.get("TERN_PROVIDERS"))}; }
};

std::optional<std::size_t> row_with_subject(ui::MessageList* list, const std::string& subject) {
    for (std::size_t row = 0; row < list->size(); ++row)
        if (const auto* s = list->summary_at(row); s && s->subject == subject) return row;
    return std::nullopt;
}

std::int64_t folder_id(ui::FolderTree* tree, const std::string& path) {
    for (const auto& account : tree->accounts())
        for (const auto& f : account.folders)
            if (f.path == path) return f.id;
    return 0;
}

}  // namespace

TEST_CASE("main window: a mailbox synced, listed, read, searched, flagged and cleaned up", "[main][env]") {
    MailboxProfile profile;
    CountingWebServer web;
    profile.seed(30, web.url());

    ui::DesktopOptions options;
    options.home = profile.home.dir();
    ui::MailService service(profile.location());
    auto* frame = new ui::MainFrame(options, service);
    frame->Show();
    auto* tree = frame->folder_tree();
    auto* list = frame->message_list();
    auto* reader = frame->reader();

    // The window syncs at start; the folder appears with its unread count.
    REQUIRE(pump_until([&] { return frame->syncs_finished() >= 1 && folder_id(tree, profile.folder) != 0; },
                       std::chrono::seconds(60)));
    const auto folder = folder_id(tree, profile.folder);
    for (const auto& f : tree->accounts().front().folders)
        if (f.id == folder) {
            CHECK(f.total == 31);
            CHECK(f.unread == 16);  // the odd messages were seeded \Seen
        }
    REQUIRE(tree->select_folder(folder));
    REQUIRE(pump_until([&] { return list->size() == 31 && row_with_subject(list, profile.folder + "-html"); }));
    save_screenshot(frame, "main-window-list");

    // Sorting by subject puts message 0 first (ascending), by date newest first again.
    list->set_order(mail::MessageOrder::Subject, false);
    REQUIRE(pump_until([&] { return list->summary_at(0) && list->summary_at(0)->subject == profile.folder + "-0"; }));
    list->set_order(mail::MessageOrder::Date, true);
    REQUIRE(pump_until([&] { return list->summary_at(0) && list->summary_at(0)->subject == profile.folder + "-html"; }));

    SECTION("a plain message: headers, body, attachment saved, marked read when shown") {
        auto row = row_with_subject(list, profile.folder + "-0");
        REQUIRE(row);
        list->select_row(*row);
        REQUIRE(pump_until([&] { return reader->content() && reader->content()->detail.summary.subject == profile.folder + "-0"; }));
        CHECK(reader->content()->detail.text_body.find("Hello from message 0") != std::string::npos);
        CHECK_FALSE(reader->showing_html());
        REQUIRE(reader->content()->detail.attachments.size() == 1);
        REQUIRE(pump_until([&] { return list->summary_at(*row)->flags & mail::MessageFlag::Seen; }));
        save_screenshot(frame, "reader-plain");
        const auto saved = profile.home.dir() / "saved.pdf";
        bool done = false;
        reader->save_attachment(0, wxString::FromUTF8(saved.string()), [&](const Error* e) {
            CHECK(e == nullptr);
            done = true;
        });
        REQUIRE(pump_until([&] { return done; }));
        std::ifstream in(saved, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK(bytes == "%PDF-1.4\n% Tern test\n");

        // Message > Reply opens a composer answering it. The menu is found by its labels in the run's
        // language, the menu's own msgids (FindMenuItem compares them without "&" and accelerator).
        const int reply = frame->GetMenuBar()->FindMenuItem(_("&Message"), _("&Reply\tCtrl+R"));
        REQUIRE(reply != wxNOT_FOUND);
        CHECK(frame->GetMenuBar()->FindItem(reply)->GetItemLabel() == _("&Reply\tCtrl+R"));
        wxCommandEvent menu(wxEVT_MENU, reply);
        frame->GetEventHandler()->ProcessEvent(menu);
        wxTextCtrl* subject = nullptr;
        REQUIRE(pump_until([&] {
            for (auto* window : wxTopLevelWindows)
                if (window != frame)
                    if (auto* field = dynamic_cast<wxTextCtrl*>(window->FindWindow("subject")); field && !field->IsEmpty())
                        subject = field;
            return subject != nullptr;
        }));
        CHECK(subject->GetValue() == wxString::FromUTF8("Re: " + profile.folder + "-0"));
        save_screenshot(subject, "reply-from-main-window");
        wxGetTopLevelParent(subject)->Close();
        pump_for(std::chrono::milliseconds(200));

        // Flag it, then delete it: the list follows at once, the store after its worker.
        frame->toggle_flag();
        CHECK(list->summary_at(*row)->flags & mail::MessageFlag::Flagged);
        frame->delete_selected();
        CHECK(list->size() == 30);
        CHECK_FALSE(row_with_subject(list, profile.folder + "-0"));
        REQUIRE(pump_until([&] {
            for (const auto& f : tree->accounts().front().folders)
                if (f.id == folder) return f.total == 30;
            return false;
        }));
    }

    SECTION("an HTML message: no script runs, nothing remote loads until the sender is allowed") {
        auto row = row_with_subject(list, profile.folder + "-html");
        REQUIRE(row);
        list->select_row(*row);
        REQUIRE(pump_until([&] { return reader->content() && reader->showing_html(); }));
        CHECK(reader->showing_remote_offer());
        pump_for(std::chrono::milliseconds(2500));  // time enough for WebKit to fetch anything it would
        CHECK(web.requests() == 0);
        save_screenshot(frame, "reader-html-blocked");
        reader->allow_remote_content();
        REQUIRE(pump_until([&] { return web.requests() >= 2; }, std::chrono::seconds(20)));  // image and stylesheet
        CHECK_FALSE(reader->showing_remote_offer());
        pump_for(std::chrono::milliseconds(1000));
        CHECK(web.script_requests() == 0);  // allowing images never allows scripts
        save_screenshot(frame, "reader-html-allowed");
    }

    SECTION("search on the query language lists the hits") {
        frame->search_box()->ChangeValue("subject:" + profile.folder + "-html");
        frame->search(frame->search_box()->GetValue());
        REQUIRE(pump_until([&] { return !list->folder() && list->size() == 1 && list->summary_at(0); }));
        CHECK(list->summary_at(0)->subject == profile.folder + "-html");
        CHECK(frame->GetStatusBar()->GetStatusText().Contains("1"));
        save_screenshot(frame, "search");
        frame->search("");
        REQUIRE(pump_until([&] { return list->folder() && list->size() == 31; }));
    }

    frame->Destroy();
    pump_for(std::chrono::milliseconds(100));
}
