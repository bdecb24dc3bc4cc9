// ImapSync against the real Dovecot of tests/env. Every test works in a folder of its own (alice's
// mailbox is shared with the other tests), fills it through IMAP APPEND, and looks at what a
// person would see in the store: messages, flags, search hits, and nothing lost or doubled.
#include "cutting_relay.hpp"
#include "env_file.hpp"
#include "mail_test_data.hpp"
#include "temp_dir.hpp"
#include "tern/auth/device_code_flow.hpp"
#include "tern/auth/token_endpoint.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/imap_sync.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/smtp_submission.hpp"

#include <chrono>
#include <future>
#include <thread>
#include <random>
#include <set>

using namespace tern;
using namespace tern::mail;
using namespace std::chrono_literals;

namespace {

using test::test_message;
using test::unique_name;

// One person's Tern: a profile with alice's account and an ImapSync for it.
struct Client {
    test::TestEnvironment env;
    test::TempDir home;
    Profile profile = Profile::open(home.path());
    std::int64_t account_id = 0;
    MessageStore store{profile.db()};
    std::unique_ptr<ImapSync> sync;

    std::shared_ptr<SaslCredentials> credentials;

    explicit Client(int port = 0, SyncSettings settings = {}, std::shared_ptr<SaslCredentials> sign_in = nullptr)
        : credentials(sign_in ? std::move(sign_in)
                              : std::make_shared<FixedCredentials>(SaslLogin{SaslMechanism::Password,
                                                                             env.get("PASSWORD_USER1"),
                                                                             Secret(env.get("PASSWORD_USER1_PASSWORD"))})) {
        profile.db().exec(
            "INSERT INTO accounts (email, provider, mode, created_at) VALUES ('alice@example.test', 'custom', "
            "'password', 0)");
        account_id = profile.db().last_insert_rowid();
        sync = std::make_unique<ImapSync>(store, account_id, options(port), settings);
    }

    ConnectionOptions options(int port = 0) const {
        ConnectionOptions o;
        o.server = {MailProtocol::Imap, "127.0.0.1", port ? port : std::stoi(env.get("IMAPS_PORT")), TlsMode::Ssl, {}};
        o.credentials = credentials;
        o.trust.extra_ca_file = env.get("TERN_CA_FILE");
        o.timeout = 10s;
        return o;
    }

    std::int64_t folder_id(const std::string& path) {
        const auto f = store.folder(account_id, path);
        REQUIRE(f);
        return f->id;
    }

    std::set<std::string> subjects(const std::string& path) {
        std::set<std::string> out;
        for (const auto& m : store.list(folder_id(path), 0, 100000)) out.insert(m.subject);
        return out;
    }

    void check_consistent() {
        CHECK(profile.db().query_text("PRAGMA integrity_check") == "ok");
        CHECK(profile.db().query_int("SELECT count(*) FROM (SELECT folder_id, uid FROM messages WHERE uid IS NOT NULL "
                                     "GROUP BY folder_id, uid HAVING count(*) > 1)") == 0);
    }
};

// A folder of its own on the server, deleted again at the end.
struct TestFolder {
    Client& owner;
    std::string path;
    TestFolder(Client& c, const std::string& prefix) : owner(c), path(unique_name(prefix)) { owner.sync->create_folder(path); }
    ~TestFolder() {
        try {
            owner.sync->delete_folder(path);
        } catch (...) {
        }
    }
};

const FolderSyncReport& report_for(const SyncReport& report, const std::string& path) {
    for (const auto& f : report.folders)
        if (f.path == path) return f;
    FAIL("no report for " << path);
    return report.folders.front();
}

}  // namespace

TEST_CASE("a sync downloads headers, bodies and the search index, and the next one finds nothing to do",
          "[imap-sync]") {
    Client alice;
    TestFolder folder(alice, "sync-basic");
    for (int i = 0; i < 25; ++i)
        alice.sync->append(folder.path, test_message("basic-" + std::to_string(i), "word" + std::to_string(i) + " kestrel"), 0);

    std::vector<SyncProgress> progress;
    const auto first = alice.sync->sync([&](const SyncProgress& p) { progress.push_back(p); }, {folder.path});
    const auto& r = report_for(first, folder.path);
    CHECK(r.added == 25);
    CHECK(r.bodies == 25);
    CHECK(alice.subjects(folder.path).size() == 25);
    CHECK_FALSE(progress.empty());
    const auto detail = alice.store.message(alice.folder_id(folder.path), alice.store.max_uid(alice.folder_id(folder.path)));
    REQUIRE(detail);
    CHECK(detail->text_body.find("kestrel") != std::string::npos);
    CHECK(alice.store.search(alice.account_id, parse_search_query("kestrel"), 0, 10).total == 25);
    CHECK(alice.store.search(alice.account_id, parse_search_query("word7"), 0, 10).hits.size() == 1);

    const auto second = alice.sync->sync({}, {folder.path});
    CHECK(report_for(second, folder.path).unchanged);
    alice.check_consistent();
}

TEST_CASE("flags travel both ways and a message expunged elsewhere disappears", "[imap-sync]") {
    Client alice, other_device;
    TestFolder folder(alice, "sync-flags");
    for (int i = 0; i < 5; ++i) alice.sync->append(folder.path, test_message("flags-" + std::to_string(i), "x"), 0);
    alice.sync->sync({}, {folder.path});
    other_device.sync->sync({}, {folder.path});
    const auto mine = alice.folder_id(folder.path), theirs = other_device.folder_id(folder.path);
    const auto uids = alice.store.uids(mine);
    REQUIRE(uids.size() == 5);

    // Here: read and flag one; the other device learns it from the server.
    alice.store.queue_flag_change(mine, uids[0], MessageFlag::Seen | MessageFlag::Flagged, 0);
    CHECK(alice.sync->push_changes() == 1);
    CHECK(alice.store.pending(alice.account_id).empty());
    // CONDSTORE: the other device asks only for what changed since its last pass.
    const auto followed = other_device.sync->sync({}, {folder.path});
    CHECK(report_for(followed, folder.path).flags_updated == 1);
    const auto there = other_device.store.message(theirs, uids[0]);
    REQUIRE(there);
    CHECK((there->summary.flags & MessageFlag::Seen));
    CHECK((there->summary.flags & MessageFlag::Flagged));
    CHECK(other_device.store.counts(theirs).unread == 4);

    // There: unflag it and delete another; this device follows.
    other_device.store.queue_flag_change(theirs, uids[0], 0, MessageFlag::Flagged);
    other_device.store.queue_delete(theirs, uids[1]);
    other_device.sync->push_changes();
    const auto report = alice.sync->sync({}, {folder.path});
    CHECK(report_for(report, folder.path).removed == 1);
    const auto here = alice.store.message(mine, uids[0]);
    REQUIRE(here);
    CHECK_FALSE((here->summary.flags & MessageFlag::Flagged));
    CHECK((here->summary.flags & MessageFlag::Seen));
    CHECK_FALSE(alice.store.message(mine, uids[1]));
    CHECK(alice.store.uids(mine).size() == 4);
    alice.check_consistent();
}

TEST_CASE("a delete or move here expunges only that message: another client's \\Deleted mark stays",
          "[imap-sync]") {
    Client alice, other_device;
    TestFolder folder(alice, "sync-expunge");
    TestFolder target(alice, "sync-expunge-target");
    for (int i = 0; i < 4; ++i) alice.sync->append(folder.path, test_message("expunge-" + std::to_string(i), "x"), 0);
    alice.sync->sync({}, {folder.path, target.path});
    other_device.sync->sync({}, {folder.path});
    const auto mine = alice.folder_id(folder.path), theirs = other_device.folder_id(folder.path);
    const auto uids = alice.store.uids(mine);
    REQUIRE(uids.size() == 4);

    // The other client marks one deleted and means to expunge it later (or never).
    other_device.store.queue_flag_change(theirs, uids[0], MessageFlag::Deleted, 0);
    CHECK(other_device.sync->push_changes() == 1);

    // Here: delete another, move a third.
    alice.store.queue_delete(mine, uids[1]);
    alice.store.queue_move(mine, uids[2], alice.folder_id(target.path));
    CHECK(alice.sync->push_changes() == 2);
    // The moved message took its new UID from the server (COPYUID), body and all.
    const auto moved = alice.store.list(alice.folder_id(target.path), 0, 10);
    REQUIRE(moved.size() == 1);
    CHECK(moved.front().uid > 0);

    // A third client sees the marked message still there, the deleted one gone, the moved one moved.
    Client third;
    third.sync->sync({}, {folder.path, target.path});
    CHECK(third.subjects(folder.path) == std::set<std::string>{"expunge-0", "expunge-3"});
    CHECK(third.subjects(target.path) == std::set<std::string>{"expunge-2"});
    const auto marked = third.store.message(third.folder_id(folder.path), uids[0]);
    REQUIRE(marked);
    CHECK((marked->summary.flags & MessageFlag::Deleted));
    alice.check_consistent();
}

TEST_CASE("a UIDVALIDITY change downloads the folder again and keeps the local draft", "[imap-sync]") {
    Client alice;
    TestFolder folder(alice, "sync-uidvalidity");
    for (int i = 0; i < 3; ++i) alice.sync->append(folder.path, test_message("before-" + std::to_string(i), "x"), 0);
    alice.sync->sync({}, {folder.path});
    const auto id = alice.folder_id(folder.path);
    const auto validity = alice.store.folder(alice.account_id, folder.path)->uidvalidity;

    // Another client deletes and recreates the folder: same name, new UIDVALIDITY, other mail.
    Client other;
    other.sync->delete_folder(folder.path);
    other.sync->create_folder(folder.path);
    other.sync->append(folder.path, test_message("after-0", "x"), 0);
    // Meanwhile a draft was written here and not uploaded yet.
    alice.store.queue_append(id, test_message("my-draft", "unsent words"), MessageFlag::Draft | MessageFlag::Seen);

    const auto report = alice.sync->sync({}, {folder.path});
    CHECK(report_for(report, folder.path).uidvalidity_reset);
    CHECK(alice.store.folder(alice.account_id, folder.path)->uidvalidity != validity);
    const auto subjects = alice.subjects(folder.path);
    CHECK(subjects.count("after-0") == 1);
    CHECK(subjects.count("my-draft") == 1);
    CHECK(subjects.count("before-0") == 0);
    // The draft reached the server: a fresh client sees it too.
    Client fresh;
    fresh.sync->sync({}, {folder.path});
    CHECK(fresh.subjects(folder.path).count("my-draft") == 1);
    alice.check_consistent();
}

TEST_CASE("a server that dies mid-sync gives a network error, and the next sync completes without doubles",
          "[imap-sync]") {
    Client setup;
    TestFolder folder(setup, "sync-cut");
    for (int i = 0; i < 120; ++i)
        setup.sync->append(folder.path, test_message("cut-" + std::to_string(i), std::string(2000, 'z')), 0);

    // Cut in the middle of the bodies (120 x 2 kB): headers and part of the bodies are stored.
    test::CuttingRelay relay(std::stoi(setup.env.get("IMAPS_PORT")), 200000);
    SyncSettings small_batches;
    small_batches.header_batch = 10;
    small_batches.reconnect_attempts = 2;
    small_batches.reconnect_delay = 100ms;
    Client alice(relay.port(), small_batches);
    try {
        alice.sync->sync({}, {folder.path});
        FAIL("the sync finished although the server died");
    } catch (const Error& e) {
        INFO(e.log_line());
        CHECK((e.category() == ErrorCategory::Network || e.category() == ErrorCategory::Timeout ||
               e.category() == ErrorCategory::TlsHandshake));
        CHECK(e.message().find("127.0.0.1") != std::string::npos);
    }
    CHECK(relay.cut());
    CHECK_FALSE(alice.sync->connected());
    alice.check_consistent();
    const auto id = alice.store.folder(alice.account_id, folder.path);
    REQUIRE(id);
    const auto missing_bodies = alice.store.uids_without_body(id->id, 0, 1000).size();
    CHECK(missing_bodies > 0);
    CHECK(missing_bodies < 120);

    // The server is back (straight to Dovecot now): the sync resumes and ends complete.
    ImapSync resumed(alice.store, alice.account_id, alice.options(), small_batches);
    resumed.sync({}, {folder.path});
    CHECK(alice.store.uids(alice.folder_id(folder.path)).size() == 120);
    CHECK(alice.subjects(folder.path).size() == 120);
    CHECK(alice.store.uids_without_body(id->id, 0, 1000).empty());
    alice.check_consistent();
}

TEST_CASE("a network blip mid-sync is survived: Tern connects again and the same sync completes",
          "[imap-sync]") {
    Client setup;
    TestFolder folder(setup, "sync-blip");
    for (int i = 0; i < 80; ++i)
        setup.sync->append(folder.path, test_message("blip-" + std::to_string(i), std::string(2000, 'b')), 0);
    test::CuttingRelay relay(std::stoi(setup.env.get("IMAPS_PORT")), 100000, test::CuttingRelay::After::Blip);
    SyncSettings settings;
    settings.header_batch = 10;
    settings.reconnect_delay = 100ms;
    Client alice(relay.port(), settings);
    alice.sync->sync({}, {folder.path});
    CHECK(relay.cut());
    CHECK(alice.subjects(folder.path).size() == 80);
    CHECK(alice.store.uids_without_body(alice.folder_id(folder.path), 0, 100).empty());
    alice.check_consistent();
}

TEST_CASE("IDLE wakes up when mail arrives, and the sync then shows it", "[imap-sync]") {
    Client alice;
    alice.sync->sync({}, {"INBOX"});
    const auto subject = unique_name("idle");
    auto waiting = std::async(std::launch::async, [&] { return alice.sync->wait_for_inbox_change(20s); });
    std::this_thread::sleep_for(500ms);  // let IDLE start: the delivery must happen while it waits

    ConnectionOptions smtp = alice.options();
    smtp.server = {MailProtocol::Smtp, "127.0.0.1", std::stoi(alice.env.get("SUBMISSION_PORT")), TlsMode::StartTls, {}};
    SmtpSubmitter(smtp).submit({"alice@example.test", {"alice@example.test"}, test_message(subject, "idle test")});

    const auto started = std::chrono::steady_clock::now();
    CHECK(waiting.get());
    CHECK(std::chrono::steady_clock::now() - started < 15s);
    // Delivery through Postfix and LMTP may lag behind the EXISTS of another test's message.
    for (int i = 0; i < 20 && !alice.subjects("INBOX").count(subject); ++i) {
        alice.sync->sync({}, {"INBOX"});
        if (!alice.subjects("INBOX").count(subject)) std::this_thread::sleep_for(250ms);
    }
    CHECK(alice.subjects("INBOX").count(subject) == 1);
}

TEST_CASE("cancel stops a sync between batches with nothing half-written", "[imap-sync]") {
    Client setup;
    TestFolder folder(setup, "sync-cancel");
    for (int i = 0; i < 60; ++i) setup.sync->append(folder.path, test_message("cancel-" + std::to_string(i), "x"), 0);
    Client alice;
    auto cancel = std::make_shared<CancelToken>();
    auto options = alice.options();
    options.cancel = cancel;
    SyncSettings settings;
    settings.header_batch = 10;
    ImapSync sync(alice.store, alice.account_id, options, settings);
    try {
        sync.sync([&](const SyncProgress& p) {
            if (p.stage == SyncProgress::Stage::Headers && p.done >= 20) cancel->cancel();
        }, {folder.path});
        FAIL("the sync was not cancelled");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::Cancelled);
    }
    const auto stored = alice.store.uids(alice.folder_id(folder.path)).size();
    CHECK(stored >= 20);
    CHECK(stored < 60);
    CHECK(stored % 10 == 0);  // whole batches only
    alice.check_consistent();
}

// carol signs in by device code (approved through the platform's admin side); her access token
// is the XOAUTH2 credential of two clients, as for a Microsoft account.
TEST_CASE("with XOAUTH2: sync, IDLE delivery and flags both ways", "[imap-sync][idp]") {
    test::TestEnvironment env;
    const auto carol = env.get("OAUTH_USER1");
    env.admin("/admin/reset", "{}");
    env.admin("/admin/device/settings", R"({"interval": 1})");
    auth::TokenEndpoint endpoint(env.http(), env.oauth_config("organizations"), carol);
    const auto authorization = endpoint.request_device_code(nullptr);
    env.admin("/admin/device/approve", R"({"user_code": ")" + authorization.user_code + R"(", "user": ")" + carol + "\"}");
    const auto grant = auth::wait_for_device_grant(endpoint, authorization, CancelToken());
    const auto token = std::make_shared<FixedCredentials>(SaslLogin{SaslMechanism::XOAuth2, carol, grant.access_token});

    Client mine(0, {}, token), other_device(0, {}, token);
    TestFolder folder(mine, "oauth-sync");
    for (int i = 0; i < 6; ++i) mine.sync->append(folder.path, test_message("oauth-" + std::to_string(i), "heron"), 0);
    const auto first = mine.sync->sync({}, {folder.path});
    CHECK(report_for(first, folder.path).added == 6);
    CHECK(report_for(first, folder.path).bodies == 6);
    other_device.sync->sync({}, {folder.path});

    // Flags both ways.
    const auto uids = mine.store.uids(mine.folder_id(folder.path));
    REQUIRE(uids.size() == 6);
    mine.store.queue_flag_change(mine.folder_id(folder.path), uids[0], MessageFlag::Flagged, 0);
    CHECK(mine.sync->push_changes() == 1);
    other_device.sync->sync({}, {folder.path});
    CHECK((other_device.store.message(other_device.folder_id(folder.path), uids[0])->summary.flags & MessageFlag::Flagged));
    other_device.store.queue_flag_change(other_device.folder_id(folder.path), uids[1], MessageFlag::Seen, 0);
    other_device.sync->push_changes();
    mine.sync->sync({}, {folder.path});
    CHECK((mine.store.message(mine.folder_id(folder.path), uids[1])->summary.flags & MessageFlag::Seen));

    // IDLE on INBOX over the XOAUTH2 connection wakes when mail arrives.
    mine.sync->sync({}, {"INBOX"});
    const auto subject = unique_name("oauth-idle");
    auto waiting = std::async(std::launch::async, [&] { return mine.sync->wait_for_inbox_change(20s); });
    std::this_thread::sleep_for(500ms);
    other_device.sync->append("INBOX", test_message(subject, "arrived"), 0);
    CHECK(waiting.get());
    mine.sync->sync({}, {"INBOX"});
    CHECK(mine.subjects("INBOX").count(subject) == 1);
    mine.check_consistent();
    env.admin("/admin/reset", "{}");
}
