// The composer: a message written in the window, sent through the real servers and found in the
// other mailbox with its file; a reply quoted; unsent work kept as a draft across windows. The
// composer's own words (the line over a quote) are compared in the run's language; the core's
// ("Re: ", the quoted lines) as they are.
#include "gui_cli.hpp"
#include "gui_harness.hpp"

#include "composer_frame.hpp"

#include "tern/core/profile.hpp"
#include "tern/mail/drafts.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/outbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <wx/button.h>
#include <wx/datetime.h>
#include <wx/dcmemory.h>
#include <wx/dcscreen.h>
#include <wx/graphics.h>
#include <wx/dnd.h>
#include <wx/intl.h>
#include <wx/listbox.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/uiaction.h>
#include <wx/weakref.h>

#include <dlfcn.h>

#include <fstream>
#include <random>

using namespace tern;
using namespace tern::gui_test;

namespace {

// wxScreenDC reads the screen through cairo under GTK 3, which keeps a snapshot of the root
// window's surface once read: every later read would show the first one. Marking the surface dirty
// makes the next read fetch what the screen shows now. (cairo is loaded with GTK; not linked here.)
void forget_screen_snapshot() {
    wxScreenDC screen;
    auto* context = screen.GetGraphicsContext();
    if (!context || !context->GetNativeContext()) return;
    using GetTarget = void* (*)(void*);
    using MarkDirty = void (*)(void*);
    const auto get_target = reinterpret_cast<GetTarget>(dlsym(RTLD_DEFAULT, "cairo_get_target"));
    const auto mark_dirty = reinterpret_cast<MarkDirty>(dlsym(RTLD_DEFAULT, "cairo_surface_mark_dirty"));
    if (get_target && mark_dirty) mark_dirty(get_target(context->GetNativeContext()));
}

// save_screenshot raises the window and reads its own pixels, without the completion list (a popup
// window of its own, which no window manager keeps on top under Xvfb): this one reads the screen.
void screenshot_with_popups(wxWindow* window, const std::string& name) {
    pump_for(std::chrono::milliseconds(300));
    forget_screen_snapshot();
    const wxRect rect = window->GetScreenRect();
    wxBitmap bitmap(rect.GetWidth(), rect.GetHeight(), 24);
    {
        wxScreenDC screen;
        wxMemoryDC memory(bitmap);
        memory.Blit(0, 0, rect.GetWidth(), rect.GetHeight(), &screen, rect.GetX(), rect.GetY());
    }
    const auto dir = std::filesystem::path(TERN_GUI_ARTIFACTS) / test_language();
    std::filesystem::create_directories(dir);
    REQUIRE(bitmap.ConvertToImage().SaveFile(wxString((dir / (name + ".png")).string()), wxBITMAP_TYPE_PNG));
}

// The line the composer writes over the quoted text of a message sent at `date` by `sender`, in
// the run's language: "On <long date> at <hh:mm>, <sender> wrote:" in English.
std::string attribution(std::int64_t date, const std::string& sender) {
    const wxDateTime when(static_cast<time_t>(date));
    wxString line = wxString::Format(_("On %s at %s, %s wrote:"),
                                     when.Format(wxLocale::GetInfo(wxLOCALE_LONG_DATE_FMT)).Trim().Trim(false),
                                     when.Format("%H:%M"), wxString::FromUTF8(sender));
    while (line.Replace("  ", " ")) {
    }
    return line.utf8_string();
}

std::string unique(const std::string& prefix) {
    std::random_device random;
    return prefix + "-" + std::to_string(random() % 100000000);
}

template <typename T>
T* child(wxWindow* frame, const char* name) {
    auto* window = dynamic_cast<T*>(frame->FindWindow(name));
    INFO("no control named " << name);
    REQUIRE(window != nullptr);
    return window;
}

std::string value(wxWindow* frame, const char* name) { return child<wxTextCtrl>(frame, name)->GetValue().utf8_string(); }

// Types into a field as a person would: the control's value changes and its wxEVT_TEXT goes out.
void type_into(wxWindow* frame, const char* name, const std::string& text) {
    child<wxTextCtrl>(frame, name)->SetValue(wxString::FromUTF8(text));
    pump_for(std::chrono::milliseconds(20));
}

void click(wxWindow* frame, const char* name) {
    auto* button = child<wxButton>(frame, name);
    REQUIRE(button->IsEnabled());
    wxCommandEvent event(wxEVT_BUTTON, button->GetId());
    event.SetEventObject(button);
    wxPostEvent(button, event);
}

std::string state_words(wxWindow* frame) {
    return child<wxStaticText>(frame, "state")->GetLabel().utf8_string() + " / " +
           child<wxStaticText>(frame, "detail")->GetLabel().utf8_string();
}

// A profile with one account that needs no server: for what the composer does on its own.
struct LocalProfile {
    TempProfile home;
    std::int64_t account = 0;
    LocalProfile() {
        auto profile = Profile::open(home.dir());
        profile.db().exec("INSERT INTO accounts (email, display_name, provider, mode, created_at) "
                          "VALUES ('me@example.test', 'Me Myself', 'custom', 'password', 0)");
        account = profile.db().last_insert_rowid();
    }
};

void close_and_wait(wxFrame* frame) {
    wxWeakRef<wxFrame> weak(frame);
    frame->Close();
    REQUIRE(pump_until([&] { return !weak; }));
}

}  // namespace

TEST_CASE("composer: a message with a file goes to bob, who finds it in his INBOX", "[composer]") {
    test::TestEnvironment env;
    const auto alice = env.get("PASSWORD_USER1"), bob = env.get("PASSWORD_USER2");
    TempProfile alice_home, bob_home;
    add_password_account(env, alice_home.dir(), alice, env.get("PASSWORD_USER1_PASSWORD"));

    // Bob wrote to alice before: completion knows him from her store.
    std::int64_t account = 0;
    {
        auto profile = Profile::open(alice_home.dir());
        account = profile.db().query_int("SELECT id FROM accounts");
        mail::MessageStore store(profile.db());
        const auto inbox = store.upsert_folder(account, "INBOX", "/", "inbox");
        mail::ServerMessage m;
        m.uid = 1;
        m.internal_date = 1700000000;
        m.header_bytes = "From: Bob Builder <" + bob + ">\r\nTo: " + alice + "\r\nSubject: earlier\r\n\r\n";
        store.add_messages(inbox, {m});
    }

    const auto token = unique("composer");
    const auto file = alice_home.dir() / "figures.csv";
    std::ofstream(file) << "quarter,total\nQ1,17\n";

    ui::MailService service(ui::ProfileLocation{alice_home.dir(), env.get("TERN_PROVIDERS")});
    auto* frame = new ui::ComposerFrame(service, account, ui::ComposeStart::new_message());
    frame->Show();
    REQUIRE(pump_until([&] { return frame->ready() && frame->addresses_loaded(); }));
    CHECK(frame->state() == ui::SendState::Editing);
    save_screenshot(frame, "composer-new");

    const auto offered = frame->completions("bo");
    REQUIRE(offered.size() == 1);
    CHECK(offered[0].utf8_string() == "Bob Builder <" + bob + ">");
    CHECK(frame->completions("carol@example.test, BUI").at(0).utf8_string() ==
          "carol@example.test, Bob Builder <" + bob + ">");
    CHECK(frame->completions("zz").empty());

    type_into(frame, "to", offered[0].utf8_string());
    type_into(frame, "subject", token);
    type_into(frame, "body", "Hello Bob,\nthe figures are attached.\n");
    CHECK(frame->GetTitle().utf8_string() == token);
    // A file dropped on the list of attachments, as a file manager drops it.
    auto* drop = dynamic_cast<wxFileDropTarget*>(child<wxListBox>(frame, "attachments")->GetDropTarget());
    REQUIRE(drop != nullptr);
    wxArrayString dropped;
    dropped.push_back(wxString::FromUTF8(file.u8string()));
    REQUIRE(drop->OnDropFiles(10, 10, dropped));
    CHECK(frame->attachments() == std::vector<std::filesystem::path>{file});
    CHECK(child<wxListBox>(frame, "attachments")->GetCount() == 1);
    save_screenshot(frame, "composer-filled");

    click(frame, "send");
    REQUIRE(pump_until([&] { return frame->state() != ui::SendState::Editing; }));
    save_screenshot(frame, "composer-queued");
    INFO(state_words(frame));
    REQUIRE(pump_until([&] { return frame->state() == ui::SendState::Sent || frame->state() == ui::SendState::Failed; },
                       std::chrono::seconds(90)));
    save_screenshot(frame, "composer-sent");
    REQUIRE(frame->state() == ui::SendState::Sent);
    CHECK(child<wxStaticText>(frame, "state")->GetLabel() == _("Sent"));
    CHECK_FALSE(child<wxButton>(frame, "send")->IsEnabled());
    {
        auto profile = Profile::open(alice_home.dir());
        CHECK(mail::DraftStore(profile.db()).list(account).empty());  // queued: no draft left behind
    }
    close_and_wait(frame);

    add_password_account(env, bob_home.dir(), bob, env.get("PASSWORD_USER2_PASSWORD"));
    const auto bob_cli = [&](const std::string& args) { return output_of(tern_cli(bob_home.dir()) + " " + args); };
    bob_cli("account set " + shell_quote(bob) + " --body-policy on-demand");  // headers only, as a big mailbox would
    std::int64_t uid = 0;
    REQUIRE(pump_until(
        [&] {
            bob_cli("sync " + shell_quote(bob) + " --folder INBOX 2>/dev/null");
            for (const auto& m : nlohmann::json::parse(bob_cli("--json list " + shell_quote(bob) + " --limit 500")))
                if (m.at("subject") == token) uid = m.at("uid").get<std::int64_t>();
            return uid != 0;
        },
        std::chrono::seconds(60)));

    // Bob answers from his list, before opening the message: its text comes from the server first.
    std::int64_t received = 0, sent_at = 0;
    bool body_was_stored = true;
    std::string sender;  // as the line over the quote names alice
    {
        auto profile = Profile::open(bob_home.dir());
        auto st = profile.db().prepare(
            "SELECT id, body_state = 'downloaded', date, from_name, from_addr FROM messages WHERE subject = ?");
        st.bind(1, token);
        REQUIRE(st.step());
        received = st.column_int(0);
        body_was_stored = st.column_int(1) != 0;
        sent_at = st.column_int(2);
        const auto name = st.column_text(3), address = st.column_text(4);
        sender = name.empty() || name == address ? address : name + " <" + address + ">";
    }
    CHECK(sent_at > 0);
    CHECK_FALSE(body_was_stored);  // bodies on demand: the composer must fetch it
    const auto bob_account = Profile::open(bob_home.dir()).db().query_int("SELECT id FROM accounts");
    ui::MailService bob_service(ui::ProfileLocation{bob_home.dir(), env.get("TERN_PROVIDERS")});
    auto* reply = new ui::ComposerFrame(bob_service, bob_account, ui::ComposeStart::reply(received));
    reply->Show();
    REQUIRE(pump_until([&] { return reply->ready(); }, std::chrono::seconds(60)));
    save_screenshot(reply, "composer-reply-downloaded");
    CHECK(value(reply, "to") == alice);
    CHECK(value(reply, "subject") == "Re: " + token);
    INFO(value(reply, "body"));
    CHECK(value(reply, "body").find(attribution(sent_at, sender) + "\n> Hello Bob,\n> the figures are attached.\n") !=
          std::string::npos);
    close_and_wait(reply);
    auto* forward = new ui::ComposerFrame(bob_service, bob_account, ui::ComposeStart::forward(received));
    forward->Show();
    REQUIRE(pump_until([&] { return forward->ready(); }, std::chrono::seconds(60)));
    save_screenshot(forward, "composer-forward-with-file");
    CHECK(value(forward, "subject") == "Fwd: " + token);
    REQUIRE(forward->attachments().size() == 1);
    CHECK(forward->attachments()[0].filename() == "figures.csv");
    CHECK(std::filesystem::file_size(forward->attachments()[0]) == std::filesystem::file_size(file));
    CHECK(child<wxListBox>(forward, "attachments")->GetString(0) == "figures.csv  (" + _("from the forwarded message") + ")");
    // Sent on to alice, the copy of the file goes with the message.
    type_into(forward, "to", alice);
    const auto copy_dir = forward->attachments()[0].parent_path();
    click(forward, "send");
    REQUIRE(pump_until([&] { return forward->state() == ui::SendState::Sent || forward->state() == ui::SendState::Failed; },
                       std::chrono::seconds(90)));
    CHECK(forward->state() == ui::SendState::Sent);
    CHECK_FALSE(std::filesystem::exists(copy_dir));
    close_and_wait(forward);

    const auto shown = nlohmann::json::parse(bob_cli("--json show " + shell_quote(bob) + " " + std::to_string(uid)));
    INFO(shown.dump(2));
    CHECK(shown.dump().find("the figures are attached") != std::string::npos);
    REQUIRE(shown.at("attachments").size() == 1);
    CHECK(shown.at("attachments")[0].at("filename") == "figures.csv");
    CHECK(shown.at("attachments")[0].at("size") == std::filesystem::file_size(file));
}

TEST_CASE("composer: a recipient the server refuses shows Failed with the server's words", "[composer]") {
    test::TestEnvironment env;
    TempProfile home;
    add_password_account(env, home.dir(), env.get("PASSWORD_USER1"), env.get("PASSWORD_USER1_PASSWORD"));
    const auto account = Profile::open(home.dir()).db().query_int("SELECT id FROM accounts");

    ui::MailService service(ui::ProfileLocation{home.dir(), env.get("TERN_PROVIDERS")});
    auto* frame = new ui::ComposerFrame(service, account, ui::ComposeStart::new_message());
    frame->Show();
    REQUIRE(pump_until([&] { return frame->ready(); }));
    type_into(frame, "to", "someone@elsewhere.invalid");  // the test MTA delivers only to example.test
    type_into(frame, "subject", unique("refused"));
    type_into(frame, "body", "This one cannot go.\n");
    click(frame, "send");
    REQUIRE(pump_until([&] { return frame->state() == ui::SendState::Failed || frame->state() == ui::SendState::Sent; },
                       std::chrono::seconds(90)));
    save_screenshot(frame, "composer-failed");
    const auto words = state_words(frame);
    INFO(words);
    REQUIRE(frame->state() == ui::SendState::Failed);
    CHECK(words.find("554") != std::string::npos);  // the server's own reply, with Tern's explanation
    const auto entries = mail::Outbox(Profile::open(home.dir()).db()).entries();
    REQUIRE(entries.size() == 1);  // refused for good: kept, visible, not lost
    CHECK(entries[0].state == mail::OutboxState::Failed);
    close_and_wait(frame);
}

TEST_CASE("composer: a reply answers the sender and quotes the message under who wrote it", "[composer]") {
    LocalProfile local;
    std::int64_t message = 0;
    {
        auto profile = Profile::open(local.home.dir());
        mail::MessageStore store(profile.db());
        const auto inbox = store.upsert_folder(local.account, "INBOX", "/", "inbox");
        mail::ServerMessage m;
        m.uid = 7;
        m.internal_date = 1764590400;
        const std::string headers = "Message-ID: <lunch-2@example.test>\r\nReferences: <lunch-1@example.test>\r\n"
                                    "From: Ann Archer <ann@example.test>\r\nTo: me@example.test\r\n"
                                    "Cc: carol@example.test\r\nSubject: Re: Lunch\r\n"
                                    "Date: Mon, 01 Dec 2025 12:00:00 +0000\r\n\r\n";
        m.header_bytes = headers;
        store.add_messages(inbox, {m});
        REQUIRE(store.set_body(inbox, 7, headers + "Shall we?\r\n> Where?\r\n"));
        message = profile.db().query_int("SELECT id FROM messages WHERE uid = 7");
    }
    ui::MailService service(ui::ProfileLocation{local.home.dir(), std::nullopt});

    SECTION("reply") {
        auto* frame = new ui::ComposerFrame(service, local.account, ui::ComposeStart::reply(message));
        frame->Show();
        REQUIRE(pump_until([&] { return frame->ready(); }));
        save_screenshot(frame, "composer-reply");
        CHECK(value(frame, "to") == "Ann Archer <ann@example.test>");
        CHECK(value(frame, "cc").empty());
        CHECK(value(frame, "subject") == "Re: Lunch");
        const auto body = value(frame, "body");
        INFO(body);
        // The line over the quote: the date and time of the message answered and who wrote it.
        CHECK(body.find(attribution(1764590400, "Ann Archer <ann@example.test>") + "\n> Shall we?\n>> Where?\n") !=
              std::string::npos);
        CHECK(body.find("2025") != std::string::npos);
        close_and_wait(frame);
    }
    SECTION("reply to all") {
        auto* frame = new ui::ComposerFrame(service, local.account, ui::ComposeStart::reply_all(message));
        frame->Show();
        REQUIRE(pump_until([&] { return frame->ready(); }));
        CHECK(value(frame, "to") == "Ann Archer <ann@example.test>");
        CHECK(value(frame, "cc") == "carol@example.test");  // not me
        close_and_wait(frame);
    }
    SECTION("forward") {
        auto* frame = new ui::ComposerFrame(service, local.account, ui::ComposeStart::forward(message));
        frame->Show();
        REQUIRE(pump_until([&] { return frame->ready(); }));
        save_screenshot(frame, "composer-forward");
        CHECK(value(frame, "to").empty());
        CHECK(value(frame, "subject") == "Fwd: Re: Lunch");
        CHECK(value(frame, "body").find("From: Ann Archer <ann@example.test>\n") != std::string::npos);
        close_and_wait(frame);
    }
}

TEST_CASE("composer: closing with unsent text keeps a draft that the next composer restores", "[composer]") {
    LocalProfile local;
    ui::MailService service(ui::ProfileLocation{local.home.dir(), std::nullopt});
    const auto drafts = [&] {
        auto profile = Profile::open(local.home.dir());
        return mail::DraftStore(profile.db()).list(local.account);
    };

    auto* frame = new ui::ComposerFrame(service, local.account,
                                        ui::ComposeStart::from_mailto("mailto:ann@example.test?subject=Plans%20for%20May"));
    frame->Show();
    REQUIRE(pump_until([&] { return frame->ready(); }));
    CHECK(value(frame, "to") == "ann@example.test");
    CHECK(value(frame, "subject") == "Plans for May");
    type_into(frame, "body", "First thoughts: the coast.\n");
    // Autosave: in the database within a few seconds, without closing or pressing anything.
    REQUIRE(pump_until([&] { return drafts().size() == 1; },
                       std::chrono::seconds(ui::ComposerFrame::autosave_seconds + 5)));
    CHECK(drafts()[0].fields.body == "First thoughts: the coast.\n");

    type_into(frame, "body", "First thoughts: the coast.\nSecond: the hills.\n");
    type_into(frame, "cc", "carol@example.test");
    save_screenshot(frame, "composer-draft-before-close");
    close_and_wait(frame);  // no prompt, nothing lost
    auto kept = drafts();
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].fields.body == "First thoughts: the coast.\nSecond: the hills.\n");
    CHECK(kept[0].fields.cc == std::vector<std::string>{"carol@example.test"});

    auto* again = new ui::ComposerFrame(service, local.account, ui::ComposeStart::draft());
    again->Show();
    REQUIRE(pump_until([&] { return again->ready(); }));
    save_screenshot(again, "composer-draft-restored");
    CHECK(again->draft_id() == kept[0].id);
    CHECK(value(again, "to") == "ann@example.test");
    CHECK(value(again, "cc") == "carol@example.test");
    CHECK(value(again, "subject") == "Plans for May");
    CHECK(value(again, "body") == "First thoughts: the coast.\nSecond: the hills.\n");
    CHECK(child<wxStaticText>(again, "state")->GetLabel() == _("Draft restored"));

    // The program ends with two composers open: both are kept.
    auto* other = new ui::ComposerFrame(service, local.account, ui::ComposeStart::new_message());
    other->Show();
    REQUIRE(pump_until([&] { return other->ready(); }));
    type_into(other, "subject", "Written just before quitting");
    type_into(again, "body", "First thoughts: the coast.\nSecond: the hills.\nThird: the lakes.\n");
    CHECK(ui::ComposerFrame::open_count() == 2);
    ui::ComposerFrame::close_all();
    REQUIRE(pump_until([&] { return ui::ComposerFrame::open_count() == 0; }));
    kept = drafts();
    REQUIRE(kept.size() == 2);
    if (kept[0].fields.subject != "Written just before quitting") std::swap(kept[0], kept[1]);  // same second or not
    CHECK(kept[0].fields.subject == "Written just before quitting");
    CHECK(kept[1].fields.body == "First thoughts: the coast.\nSecond: the hills.\nThird: the lakes.\n");

    again = new ui::ComposerFrame(service, local.account, ui::ComposeStart::draft(kept[1].id));
    again->Show();
    REQUIRE(pump_until([&] { return again->ready(); }));
    CHECK(value(again, "body") == "First thoughts: the coast.\nSecond: the hills.\nThird: the lakes.\n");
    CHECK(again->draft_id() == kept[1].id);

    // Emptied by the person, the draft goes too.
    for (const char* name : {"to", "cc", "subject", "body"}) type_into(again, name, "");
    close_and_wait(again);
    CHECK(drafts().size() == 1);  // the other one stays
}

TEST_CASE("composer: typing in To offers known addresses by name or address, and the keyboard takes one", "[composer]") {
    LocalProfile local;
    {
        auto profile = Profile::open(local.home.dir());
        mail::MessageStore store(profile.db());
        const auto inbox = store.upsert_folder(local.account, "INBOX", "/", "inbox");
        mail::ServerMessage m;
        m.uid = 1;
        m.header_bytes = "From: Bob Builder <bob@example.test>\r\nTo: me@example.test, Bea <bea@example.test>\r\n\r\n";
        store.add_messages(inbox, {m});
    }
    ui::MailService service(ui::ProfileLocation{local.home.dir(), std::nullopt});
    auto* frame = new ui::ComposerFrame(service, local.account, ui::ComposeStart::new_message());
    frame->Show();
    REQUIRE(pump_until([&] { return frame->ready() && frame->addresses_loaded(); }));
    auto* to = child<wxTextCtrl>(frame, "to");
    to->SetFocus();
    pump_for(std::chrono::milliseconds(200));
    wxUIActionSimulator keyboard;
    const auto offered = [&] {
        std::vector<std::string> out;
        for (const auto& o : frame->offered_completions()) out.push_back(o.utf8_string());
        return out;
    };

    keyboard.Text("b");
    REQUIRE(pump_until([&] { return !offered().empty(); }, std::chrono::seconds(5)));
    screenshot_with_popups(frame, "composer-completion");
    CHECK(offered() == std::vector<std::string>{"Bea <bea@example.test>", "Bob Builder <bob@example.test>"});
    keyboard.Char(WXK_DOWN);
    keyboard.Char(WXK_RETURN);
    REQUIRE(pump_until([&] { return offered().empty(); }, std::chrono::seconds(5)));
    CHECK(to->GetValue().utf8_string() == "Bob Builder <bob@example.test>, ");

    keyboard.Text("bui");  // a word of the name: Bob is in the field already, so nothing is offered
    pump_for(std::chrono::milliseconds(300));
    CHECK(offered().empty());
    for (int i = 0; i < 3; ++i) keyboard.Char(WXK_BACK);
    keyboard.Text("bea@");  // the address of someone with a name
    REQUIRE(pump_until([&] { return !offered().empty(); }, std::chrono::seconds(5)));
    CHECK(offered() == std::vector<std::string>{"Bea <bea@example.test>"});  // the list shows the one being typed
    keyboard.Char(WXK_TAB);
    REQUIRE(pump_until([&] { return offered().empty(); }, std::chrono::seconds(5)));
    CHECK(to->GetValue().utf8_string() == "Bob Builder <bob@example.test>, Bea <bea@example.test>, ");
    save_screenshot(frame, "composer-completion-taken");
    close_and_wait(frame);
}

void set_right_to_left(wxWindow* window) {
    window->SetLayoutDirection(wxLayout_RightToLeft);
    for (auto* child_window : window->GetChildren()) set_right_to_left(child_window);
}

TEST_CASE("composer: laid out right to left, the window mirrors", "[composer]") {
    // What Arabic gets (wx gives every window the language's direction; this machine has no Arabic
    // locale, so the test sets it on the window and its children as wx would).
    LocalProfile local;
    ui::MailService service(ui::ProfileLocation{local.home.dir(), std::nullopt});
    auto* frame = new ui::ComposerFrame(service, local.account,
                                        ui::ComposeStart::from_mailto("mailto:ann@example.test?subject=RTL&body=Text"));
    set_right_to_left(frame);
    frame->Show();
    REQUIRE(pump_until([&] { return frame->ready(); }));
    frame->add_attachments({local.home.dir() / "notes.txt", local.home.dir() / "old.txt"});
    // Chosen in the list and removed with the button.
    auto* list = child<wxListBox>(frame, "attachments");
    list->SetSelection(1);
    wxCommandEvent chosen(wxEVT_LISTBOX, list->GetId());
    chosen.SetEventObject(list);
    list->GetEventHandler()->ProcessEvent(chosen);
    click(frame, "remove");
    REQUIRE(pump_until([&] { return frame->attachments().size() == 1; }));
    CHECK(frame->attachments()[0].filename() == "notes.txt");
    CHECK(list->GetCount() == 1);
    frame->SendSizeEvent();
    pump_for(std::chrono::milliseconds(100));
    save_screenshot(frame, "composer-rtl");
    // Right to left, wx puts a window's origin at its top-right corner: the x it reports is where
    // the window ends on the right. The labels are at the right, so the To field ends short of the
    // frame's right side; the buttons are at the left, so Send ends near the left edge.
    CHECK(frame->GetLayoutDirection() == wxLayout_RightToLeft);
    const auto left = frame->GetScreenPosition().x, width = frame->GetSize().GetWidth();
    const auto to_end = child<wxTextCtrl>(frame, "to")->GetScreenPosition().x - left;
    const auto send_end = child<wxButton>(frame, "send")->GetScreenPosition().x - left;
    CHECK(to_end < width - 40);   // room for "To:" at the right
    CHECK(to_end > width / 2);
    CHECK(send_end < width / 4);  // Send at the left
    close_and_wait(frame);
}
