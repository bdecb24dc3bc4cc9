#include "temp_dir.hpp"
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"
#include "tern/core/profile_schema.hpp"
#include "tern/mail/message_store.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>

using namespace tern;
using namespace tern::mail;
using tern::test::TempDir;

namespace {

constexpr std::int64_t base_date = 1704067200;  // 2024-01-01T00:00:00Z

std::int64_t add_account(Database& db, const std::string& email) {
    auto st = db.prepare("INSERT INTO accounts(email, provider, mode, created_at) VALUES (?1, 'custom', 'password', 1)");
    st.bind(1, email).run();
    return db.last_insert_rowid();
}

std::string headers(std::int64_t n, const std::string& subject, const std::string& from) {
    return "Message-ID: <m" + std::to_string(n) + "@example.org>\r\n"
           "From: " + from + "\r\n"
           "To: Bob Receiver <bob@example.net>\r\n"
           "Subject: " + subject + "\r\n"
           "Date: " + std::to_string(1 + n % 28) + " Jan 2024 10:00:00 +0000\r\n\r\n";
}

ServerMessage server_message(std::int64_t uid, const std::string& subject, int flags = 0,
                             const std::string& from = "Alice <alice@example.org>") {
    ServerMessage m;
    m.uid = uid;
    m.flags = flags;
    m.internal_date = base_date + uid;
    m.size = 1000 + uid;
    m.header_bytes = headers(uid, subject, from);
    return m;
}

std::string full_message(const std::string& subject, const std::string& body) {
    return "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: " + subject +
           "\r\nDate: 2 Jan 2024 10:00:00 +0000\r\n"
           "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
           "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
           "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
}

// Raises an Error if the full-text index disagrees with its content table.
void check_index(Database& db) {
    CHECK_NOTHROW(db.exec("INSERT INTO message_index(message_index, rank) VALUES('integrity-check', 1)"));
    CHECK(db.query_int("SELECT count(*) FROM message_text") == db.query_int("SELECT count(*) FROM messages"));
}

struct Fixture {
    TempDir tmp;
    Profile profile = Profile::open(tmp.path());
    Database& db = profile.db();
    MessageStore store{db};
    std::int64_t account = add_account(db, "me@example.org");
    std::int64_t inbox = store.upsert_folder(account, "INBOX", "/", "inbox");
    std::int64_t archive = store.upsert_folder(account, "Archive", "/", "archive");

    std::vector<std::int64_t> ids(const SearchPage& page) {
        std::vector<std::int64_t> out;
        for (const auto& hit : page.hits) out.push_back(hit.summary.uid);
        return out;
    }
    SearchPage search(const std::string& text, std::size_t offset = 0, std::size_t limit = 100) {
        return store.search(account, parse_search_query(text), offset, limit);
    }
};

}  // namespace

TEST_CASE("folders are created once, keep their sync state and go with their account", "[store]") {
    Fixture f;
    CHECK(f.store.upsert_folder(f.account, "INBOX", ".", "inbox") == f.inbox);
    f.store.set_sync_state(f.inbox, 7, 100, 55);
    CHECK(f.store.upsert_folder(f.account, "INBOX", "/", "inbox") == f.inbox);
    const auto inbox = f.store.folder(f.account, "INBOX");
    REQUIRE(inbox);
    CHECK(inbox->uidvalidity == 7);
    CHECK(inbox->uidnext == 100);
    CHECK(inbox->highest_modseq == 55);
    CHECK(inbox->separator == "/");
    CHECK(inbox->role == "inbox");
    CHECK_FALSE(f.store.folder(f.account, "Nope"));

    const auto all = f.store.folders(f.account);
    REQUIRE(all.size() == 2);
    CHECK(all[0].path == "Archive");

    CHECK_THROWS_AS(f.store.upsert_folder(f.account, "X", "/", "spam"), Error);
    try {
        f.store.upsert_folder(999, "X", "/", "");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::NotFound);
    }
    try {
        f.store.set_sync_state(999, 1, 1, 1);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::NotFound);
    }

    f.store.add_messages(f.inbox, {server_message(1, "hello")});
    f.db.exec("DELETE FROM accounts");
    CHECK(f.store.folders(f.account).empty());
    CHECK(f.db.query_int("SELECT count(*) FROM messages") == 0);
    check_index(f.db);
}

TEST_CASE("add_messages stores envelopes, and a UID seen again is updated, never doubled", "[store]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(3, "third"), server_message(1, "first", Seen),
                                   server_message(2, "second"), server_message(3, "third again")});
    f.store.add_messages(f.inbox, {server_message(2, "second again", Seen | Flagged)});
    CHECK(f.store.uids(f.inbox) == std::vector<std::int64_t>{1, 2, 3});
    CHECK(f.store.max_uid(f.inbox) == 3);
    CHECK(f.store.max_uid(f.archive) == 0);

    const auto list = f.store.list(f.inbox, 0, 10);
    REQUIRE(list.size() == 3);
    CHECK(list[0].subject == "third again");  // newest Date first
    CHECK(list[1].subject == "second again");
    CHECK(list[1].flags == (Seen | Flagged));
    CHECK(list[2].subject == "first");
    CHECK(list[0].from_name == "Alice");
    CHECK(list[0].from_addr == "alice@example.org");
    CHECK(list[0].date == base_date + 3 * 86400 + 36000);
    CHECK_FALSE(list[0].body_downloaded);
    CHECK(f.store.list(f.inbox, 1, 1).at(0).uid == 2);

    const auto counts = f.store.counts(f.inbox);
    CHECK(counts.total == 3);
    CHECK(counts.unread == 1);

    const auto detail = f.store.message(f.inbox, 2);
    REQUIRE(detail);
    CHECK(detail->message_id == "m2@example.org");
    CHECK(detail->to == "Bob Receiver <bob@example.net>");
    CHECK(detail->text_body.empty());
    CHECK_FALSE(f.store.message(f.inbox, 99));
    check_index(f.db);
}

TEST_CASE("a message without a Date header is dated by the server's internal date", "[store]") {
    Fixture f;
    ServerMessage m;
    m.uid = 1;
    m.internal_date = base_date + 42;
    m.header_bytes = "Subject: undated\r\n\r\n";
    f.store.add_messages(f.inbox, {m});
    CHECK(f.store.list(f.inbox, 0, 1).at(0).date == base_date + 42);
}

TEST_CASE("a failed batch leaves nothing behind", "[store]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(1, "kept")});
    std::vector<ServerMessage> batch;
    for (int uid = 2; uid < 50; ++uid) batch.push_back(server_message(uid, "batch " + std::to_string(uid)));
    batch.push_back(server_message(0, "bad uid"));
    try {
        f.store.add_messages(f.inbox, batch);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::BadInput);
    }
    CHECK(f.store.uids(f.inbox) == std::vector<std::int64_t>{1});
    CHECK(f.db.query_int("SELECT count(*) FROM message_text") == 1);
    CHECK(f.search("batch").total == 0);
    check_index(f.db);

    try {
        f.store.add_messages(12345, {server_message(1, "x")});
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::NotFound);
    }
}

TEST_CASE("set_body stores the bytes exactly and the text, attachments and index", "[store]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(5, "with body")});
    CHECK(f.store.uids_without_body(f.inbox, 0, 10) == std::vector<std::int64_t>{5});

    std::string raw = full_message("with body", "The quick brown fox jumps");
    raw += std::string("\0\xFF\xFE trailing bytes", 17);
    CHECK(f.store.set_body(f.inbox, 5, raw));
    CHECK_FALSE(f.store.set_body(f.inbox, 6, raw));
    CHECK(f.store.raw_message(f.inbox, 5) == raw);
    CHECK_FALSE(f.store.raw_message(f.inbox, 6));
    CHECK(f.store.uids_without_body(f.inbox, 0, 10).empty());

    const auto d = f.store.message(f.inbox, 5);
    REQUIRE(d);
    CHECK(d->summary.body_downloaded);
    CHECK(d->summary.has_attachments);
    CHECK(d->text_body == "The quick brown fox jumps");
    REQUIRE(d->attachments.size() == 1);
    CHECK(d->attachments[0].filename == "a.pdf");
    CHECK(d->attachments[0].size == 9);
    CHECK(f.store.raw_message_by_id(d->summary.id) == raw);

    CHECK(f.search("fox").total == 1);
    // A second body for the same message replaces the first everywhere.
    CHECK(f.store.set_body(f.inbox, 5, full_message("with body", "Lazy dogs only")));
    CHECK(f.search("fox").total == 0);
    CHECK(f.search("lazy").total == 1);
    CHECK(f.db.query_int("SELECT count(*) FROM attachments") == 1);
    // Headers seen again keep the downloaded body and its attachment flag.
    f.store.add_messages(f.inbox, {server_message(5, "with body", Seen)});
    CHECK(f.store.message(f.inbox, 5)->text_body == "Lazy dogs only");
    CHECK(f.store.message(f.inbox, 5)->summary.has_attachments);
    check_index(f.db);
}

TEST_CASE("set_bodies stores many bodies in one transaction and reports unknown UIDs", "[store]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(1, "a"), server_message(2, "b")});
    const auto unknown = f.store.set_bodies(
        f.inbox, {{1, full_message("a", "first body")}, {7, full_message("x", "nobody")}, {2, full_message("b", "second")}});
    CHECK(unknown == std::vector<std::int64_t>{7});
    CHECK(f.store.message(f.inbox, 1)->text_body == "first body");
    CHECK(f.store.message(f.inbox, 2)->text_body == "second");
    CHECK(f.store.uids_without_body(f.inbox, 0, 10).empty());
    CHECK(f.store.set_bodies(f.inbox, {}).empty());
    check_index(f.db);
}

TEST_CASE("uids_without_body: newest first, from a date, limited", "[store]") {
    Fixture f;
    std::vector<ServerMessage> batch;
    for (int uid = 1; uid <= 10; ++uid) batch.push_back(server_message(uid, "m"));
    f.store.add_messages(f.inbox, batch);
    f.store.set_body(f.inbox, 9, full_message("m", "b"));
    CHECK(f.store.uids_without_body(f.inbox, 0, 3) == std::vector<std::int64_t>{10, 8, 7});
    CHECK(f.store.uids_without_body(f.inbox, base_date + 6, 100) == std::vector<std::int64_t>{10, 8, 7, 6});
}

TEST_CASE("flags, expunges and the unread count", "[store]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(1, "a"), server_message(2, "b"), server_message(3, "c")});
    f.store.update_flags(f.inbox, {{1, Seen, 10}, {2, Seen | Answered, 11}, {77, Seen, 12}});
    CHECK(f.store.counts(f.inbox).unread == 1);
    CHECK(f.store.message(f.inbox, 2)->summary.flags == (Seen | Answered));
    f.store.remove_uids(f.inbox, {1, 3, 99});
    CHECK(f.store.uids(f.inbox) == std::vector<std::int64_t>{2});
    CHECK(f.store.counts(f.inbox).total == 1);
    check_index(f.db);
}

TEST_CASE("reset_folder drops server messages and their queued changes, keeps local ones", "[store]") {
    Fixture f;
    f.store.set_sync_state(f.inbox, 1, 4, 9);
    f.store.add_messages(f.inbox, {server_message(1, "old one"), server_message(2, "old two"), server_message(3, "old 3")});
    f.store.set_body(f.inbox, 2, full_message("old two", "body text"));
    f.store.queue_flag_change(f.inbox, 1, Flagged, 0);
    f.store.queue_move(f.inbox, 3, f.archive);
    f.store.queue_append(f.inbox, full_message("my draft", "draft body"), Draft | Seen);

    f.store.reset_folder(f.inbox, 2);
    const auto state = f.store.folder(f.account, "INBOX");
    CHECK(state->uidvalidity == 2);
    CHECK(state->uidnext == 0);
    CHECK(state->highest_modseq == 0);
    CHECK(f.store.uids(f.inbox).empty());
    const auto list = f.store.list(f.inbox, 0, 10);
    REQUIRE(list.size() == 1);
    CHECK(list[0].subject == "my draft");
    CHECK(list[0].uid == 0);
    // The move named an old UID: it is dropped, and the message comes back with the resync.
    CHECK(f.store.list(f.archive, 0, 10).empty());
    const auto ops = f.store.pending(f.account);
    REQUIRE(ops.size() == 1);
    CHECK(ops[0].kind == "append");
    CHECK(f.db.query_int("SELECT count(*) FROM bodies") == 1);
    CHECK(f.search("old").total == 0);
    CHECK(f.search("draft").total == 1);
    check_index(f.db);
}

TEST_CASE("a flag change is applied at once and queued, and the server's older view does not undo it", "[store]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(1, "a"), server_message(2, "b", Seen)});
    const auto op = f.store.queue_flag_change(f.inbox, 1, Seen | Flagged, 0);
    f.store.queue_flag_change(f.inbox, 2, 0, Seen);
    CHECK(f.store.message(f.inbox, 1)->summary.flags == (Seen | Flagged));
    CHECK(f.store.message(f.inbox, 2)->summary.flags == 0);

    const auto ops = f.store.pending(f.account);
    REQUIRE(ops.size() == 2);
    CHECK(ops[0].id == op);
    CHECK(ops[0].kind == "flags");
    CHECK(ops[0].uid == 1);
    CHECK(ops[0].folder_id == f.inbox);
    CHECK(ops[0].add_flags == (Seen | Flagged));
    CHECK(ops[0].remove_flags == 0);
    CHECK(ops[1].remove_flags == Seen);
    CHECK(ops[0].created_at > 0);

    // A sync that read the server before the change was sent.
    f.store.update_flags(f.inbox, {{1, 0, 5}, {2, Seen, 5}});
    f.store.add_messages(f.inbox, {server_message(1, "a", Answered)});
    CHECK(f.store.message(f.inbox, 1)->summary.flags == (Seen | Flagged | Answered));
    CHECK(f.store.message(f.inbox, 2)->summary.flags == 0);

    f.store.complete(op);
    f.store.update_flags(f.inbox, {{1, Answered, 6}});
    CHECK(f.store.message(f.inbox, 1)->summary.flags == Answered);
    CHECK(f.store.pending(f.account).size() == 1);

    CHECK_THROWS_AS(f.store.queue_flag_change(f.inbox, 1, Seen, Seen), Error);
    CHECK_THROWS_AS(f.store.queue_flag_change(f.inbox, 1, 64, 0), Error);
    try {
        f.store.queue_flag_change(f.inbox, 42, Seen, 0);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::NotFound);
    }
}

TEST_CASE("a move shows at once, is not undone by a sync, and takes the server's new UID", "[store]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(1, "moving"), server_message(2, "moving too")});
    f.store.set_body(f.inbox, 1, full_message("moving", "moved body"));
    const auto op = f.store.queue_move(f.inbox, 1, f.archive);
    CHECK(f.store.uids(f.inbox) == std::vector<std::int64_t>{2});
    auto archived = f.store.list(f.archive, 0, 10);
    REQUIRE(archived.size() == 1);
    CHECK(archived[0].uid == 0);
    CHECK(archived[0].body_downloaded);

    // The server still lists UID 1 in INBOX until the move is sent: it stays gone.
    f.store.add_messages(f.inbox, {server_message(1, "moving")});
    CHECK(f.store.uids(f.inbox) == std::vector<std::int64_t>{2});

    const auto ops = f.store.pending(f.account);
    REQUIRE(ops.size() == 1);
    CHECK(ops[0].kind == "move");
    CHECK(ops[0].uid == 1);
    CHECK(ops[0].target_folder_id == f.archive);
    CHECK(ops[0].message == archived[0].id);

    f.store.complete(op, 500);
    CHECK(f.store.uids(f.archive) == std::vector<std::int64_t>{500});
    CHECK(f.store.message(f.archive, 500)->text_body == "moved body");
    CHECK(f.store.pending(f.account).empty());
    CHECK(f.search("moved").hits.at(0).summary.folder_id == f.archive);

    // Without a new UID the local copy goes; the archive's next sync brings the message back.
    const auto op2 = f.store.queue_move(f.inbox, 2, f.archive);
    f.store.complete(op2);
    CHECK(f.store.list(f.archive, 0, 10).size() == 1);

    CHECK_THROWS_AS(f.store.queue_move(f.archive, 500, f.archive), Error);
    const auto other_account = add_account(f.db, "other@example.org");
    const auto foreign = f.store.upsert_folder(other_account, "INBOX", "/", "inbox");
    CHECK_THROWS_AS(f.store.queue_move(f.archive, 500, foreign), Error);
    check_index(f.db);
}

TEST_CASE("a refused move is discarded and the message returns with the next sync", "[store]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(1, "stays")});
    const auto op = f.store.queue_move(f.inbox, 1, f.archive);
    f.store.discard(op);
    CHECK(f.store.list(f.archive, 0, 10).empty());
    f.store.add_messages(f.inbox, {server_message(1, "stays")});
    CHECK(f.store.uids(f.inbox) == std::vector<std::int64_t>{1});
    f.store.discard(op);  // unknown by now: nothing happens
    f.store.complete(op);
    check_index(f.db);
}

TEST_CASE("a delete hides the message at once, and an append is stored at once", "[store]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(1, "doomed")});
    const auto del = f.store.queue_delete(f.inbox, 1);
    CHECK(f.store.uids(f.inbox).empty());
    f.store.add_messages(f.inbox, {server_message(1, "doomed")});
    CHECK(f.store.uids(f.inbox).empty());
    CHECK(f.search("doomed").total == 0);
    f.store.complete(del);

    const auto drafts = f.store.upsert_folder(f.account, "Drafts", "/", "drafts");
    const auto raw = full_message("Unsent thoughts", "draft text");
    const auto append = f.store.queue_append(drafts, raw, Draft | Seen);
    const auto list = f.store.list(drafts, 0, 10);
    REQUIRE(list.size() == 1);
    CHECK(list[0].uid == 0);
    CHECK(list[0].subject == "Unsent thoughts");
    const auto ops = f.store.pending(f.account);
    REQUIRE(ops.size() == 1);
    CHECK(ops[0].kind == "append");
    CHECK(ops[0].uid == 0);
    CHECK(ops[0].add_flags == (Draft | Seen));
    CHECK(f.store.raw_message_by_id(ops[0].message) == raw);

    f.store.complete(append, 9);
    CHECK(f.store.raw_message(drafts, 9) == raw);
    CHECK(f.store.counts(drafts).unread == 0);
    check_index(f.db);
}

TEST_CASE("queued changes survive closing and reopening the profile", "[store]") {
    TempDir tmp;
    std::int64_t account = 0, inbox = 0;
    {
        auto profile = Profile::open(tmp.path());
        MessageStore store(profile.db());
        account = add_account(profile.db(), "me@example.org");
        inbox = store.upsert_folder(account, "INBOX", "/", "inbox");
        store.add_messages(inbox, {server_message(1, "a"), server_message(2, "b")});
        store.queue_flag_change(inbox, 1, Seen, 0);
        store.queue_delete(inbox, 2);
    }
    auto profile = Profile::open(tmp.path());
    MessageStore store(profile.db());
    const auto ops = store.pending(account);
    REQUIRE(ops.size() == 2);
    CHECK(ops[0].kind == "flags");
    CHECK(ops[1].kind == "delete");
    CHECK(store.uids(inbox) == std::vector<std::int64_t>{1});
    CHECK(store.message(inbox, 1)->summary.flags == Seen);
}

TEST_CASE("removing a folder removes its messages, bodies, index entries and queued changes", "[store]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(1, "gone"), server_message(2, "moved out")});
    f.store.set_body(f.inbox, 1, full_message("gone", "gone body"));
    f.store.queue_flag_change(f.inbox, 1, Seen, 0);
    f.store.queue_move(f.inbox, 2, f.archive);
    f.store.remove_folder(f.inbox);
    CHECK_FALSE(f.store.folder(f.account, "INBOX"));
    CHECK(f.db.query_int("SELECT count(*) FROM messages") == 0);
    CHECK(f.db.query_int("SELECT count(*) FROM bodies") == 0);
    CHECK(f.db.query_int("SELECT count(*) FROM attachments") == 0);
    CHECK(f.store.pending(f.account).empty());
    CHECK(f.search("gone").total == 0);
    check_index(f.db);
}

TEST_CASE("search over 5000 messages: matches, fields, filters and paging", "[store][search]") {
    Fixture f;
    const std::int64_t n = 5000;
    for (std::int64_t start = 1; start <= n; start += 500) {
        std::vector<ServerMessage> batch;
        for (std::int64_t uid = start; uid < start + 500; ++uid) {
            std::string subject = "Report " + std::to_string(uid);
            if (uid % 10 == 0) subject += " alpha";
            if (uid % 7 == 0) subject += " Café crème";
            auto m = server_message(uid, subject, uid % 2 ? 0 : Seen,
                                    "User " + std::to_string(uid % 50) + " <user" + std::to_string(uid % 50) +
                                        "@example.org>");
            m.header_bytes.insert(0, "Content-Type: " + std::string(uid % 3 ? "text/plain" : "multipart/mixed") + "\r\n");
            batch.push_back(std::move(m));
        }
        f.store.add_messages(f.inbox, batch);
    }
    REQUIRE(f.store.counts(f.inbox).total == n);
    check_index(f.db);

    SECTION("paging walks every match exactly once") {
        std::set<std::int64_t> seen;
        std::size_t pages = 0;
        for (std::size_t offset = 0;; offset += 64, ++pages) {
            const auto page = f.search("alpha", offset, 64);
            CHECK(page.total == 500);
            CHECK_FALSE(page.total_is_capped);
            if (page.hits.empty()) break;
            for (const auto& hit : page.hits) {
                CHECK(hit.summary.uid % 10 == 0);
                CHECK(hit.rank < 0);
                seen.insert(hit.summary.uid);
            }
        }
        CHECK(seen.size() == 500);
        CHECK(pages == 8);
    }
    SECTION("fields, diacritics, prefixes and filters combine") {
        CHECK(f.search("from:user7").total == 100);
        CHECK(f.search("from:\"user7@example.org\"").total == 100);
        CHECK(f.search("alpha from:user10").total == 100);
        CHECK(f.search("to:bob").total == n);
        CHECK(f.search("subject:bob").total == 0);
        CHECK(f.search("cafe").total == 714);
        CHECK(f.search("CAFÉ creme").total == 714);
        CHECK(f.search("\"creme cafe\"").total == 0);
        CHECK(f.search("subject:\"cafe creme\"").total == 714);
        CHECK(f.search("alpha is:unread").total == 0);
        CHECK(f.search("alpha is:read").total == 500);
        CHECK(f.search("is:unread").total == 2500);
        CHECK(f.search("has:attachment alpha").total == 166);  // multipart/mixed and alpha: uid % 30 == 0
        CHECK(f.search("report 4999").hits.at(0).summary.uid == 4999);
        CHECK(f.search("repo*").total == n);
        CHECK(f.search("nothing-like-this").total == 0);
        CHECK(f.search("!!!").total == 0);
    }
    SECTION("dates are whole UTC days") {
        // The Date of uid is (1 + uid % 28) Jan 2024 10:00 UTC.
        auto on_days = [&](int first, int last) {
            std::int64_t count = 0;
            for (std::int64_t uid = 1; uid <= n; ++uid) count += (1 + uid % 28 >= first && 1 + uid % 28 <= last);
            return count;
        };
        CHECK(f.search("after:2024-01-28").total == on_days(28, 28));
        CHECK(f.search("before:2024-01-02").total == on_days(1, 1));
        CHECK(f.search("after:2024-01-05 before:2024-01-08").total == on_days(5, 7));
        CHECK(f.search("after:2024-02-01").total == 0);
    }
    SECTION("a query without words lists by date, newest first") {
        const auto page = f.search("is:unread", 0, 20);
        REQUIRE(page.hits.size() == 20);
        for (std::size_t i = 1; i < page.hits.size(); ++i) CHECK(page.hits[i - 1].summary.date >= page.hits[i].summary.date);
        CHECK(page.hits[0].snippet.empty());
    }
    SECTION("other accounts' messages are not found") {
        const auto other = add_account(f.db, "other@example.org");
        CHECK(f.store.search(other, parse_search_query("alpha"), 0, 10).total == 0);
        // With a second account's mail in the index the page and the count are filtered by
        // account, and order the same as with one account (bm25's scores shift a little: the
        // other account's message changes the word statistics).
        const auto alone = f.search("alpha", 0, 30);
        const auto others_inbox = f.store.upsert_folder(other, "INBOX", "/", "inbox");
        f.store.add_messages(others_inbox, {server_message(1, "alpha beta")});
        CHECK(f.store.search(other, parse_search_query("alpha"), 0, 10).total == 1);
        const auto shared = f.search("alpha", 0, 30);
        CHECK(shared.total == 500);
        CHECK(f.ids(shared) == f.ids(alone));
        for (std::size_t i = 0; i < shared.hits.size(); ++i) {
            CHECK(shared.hits[i].snippet == alone.hits[i].snippet);
            if (i > 0) CHECK(shared.hits[i - 1].rank <= shared.hits[i].rank);
        }
    }
    SECTION("hostile queries are literal text") {
        for (const char* q : {"\"a\" OR \"b\"", "NEAR(report alpha)", "report:alpha", "alpha -report", "alpha)", "^alpha",
                              "' OR 1=1 --", "\"\"\"\"", "*", "subject:*", "from:\"x\"\"y\""}) {
            INFO(q);
            CHECK_NOTHROW(f.search(q));
        }
        CHECK(f.search("' OR 1=1 --").total == 0);
    }
}

TEST_CASE("a search matching more than the count cap reports the cap", "[store][search]") {
    Fixture f;
    const auto n = search_count_cap + 5;
    for (std::int64_t start = 1; start <= n; start += 2500) {
        std::vector<ServerMessage> batch;
        for (auto uid = start; uid < start + 2500 && uid <= n; ++uid) batch.push_back(server_message(uid, "common"));
        f.store.add_messages(f.inbox, batch);
    }
    const auto page = f.search("common", 0, 10);
    CHECK(page.hits.size() == 10);
    CHECK(page.total == search_count_cap);
    CHECK(page.total_is_capped);
    const auto unfiltered = f.search("is:unread", 0, 10);
    CHECK(unfiltered.total == search_count_cap);
    CHECK(unfiltered.total_is_capped);
    CHECK(f.search("common", static_cast<std::size_t>(n) - 3, 10).hits.size() == 3);
}

TEST_CASE("many matches are ranked in windows of the newest 2000, and paging still sees each once",
          "[store][search]") {
    Fixture f;
    const std::int64_t n = 4500;
    std::vector<ServerMessage> batch;
    for (std::int64_t uid = 1; uid <= n; ++uid) {
        // Short subjects rank better than long ones; every tenth message has one.
        batch.push_back(server_message(uid, uid % 10 ? "kite plus several more words to dilute it" : "kite"));
        if (batch.size() == 500) {
            f.store.add_messages(f.inbox, batch);
            batch.clear();
        }
    }
    const auto first = f.search("kite", 0, 50);
    CHECK(first.total == n);
    REQUIRE(first.hits.size() == 50);
    for (std::size_t i = 0; i < first.hits.size(); ++i) {
        CHECK(first.hits[i].summary.uid > n - 2000);  // the newest window
        CHECK(first.hits[i].summary.uid % 10 == 0);    // its best ranked
        if (i > 0) CHECK(first.hits[i - 1].rank <= first.hits[i].rank);
    }
    std::set<std::int64_t> seen;
    for (std::size_t offset = 0; offset < n; offset += 70) {  // pages that straddle the windows
        const auto page = f.search("kite", offset, 70);
        for (const auto& hit : page.hits) CHECK(seen.insert(hit.summary.uid).second);
    }
    CHECK(seen.size() == static_cast<std::size_t>(n));
}

TEST_CASE("ranking puts subject matches before body matches, with highlighted snippets", "[store][search]") {
    Fixture f;
    f.store.add_messages(f.inbox, {server_message(1, "weekly notes"), server_message(2, "invoice for march"),
                                   server_message(3, "other things")});
    f.store.set_body(f.inbox, 1, full_message("weekly notes", "please pay the invoice by friday"));
    f.store.set_body(f.inbox, 3, full_message("other things", "nothing to see here"));
    const auto page = f.search("invoice");
    REQUIRE(page.hits.size() == 2);
    CHECK(page.hits[0].summary.uid == 2);
    CHECK(page.hits[1].summary.uid == 1);
    CHECK(page.hits[0].rank <= page.hits[1].rank);
    CHECK(page.hits[1].snippet.find(std::string(1, snippet_match_start) + "invoice" + snippet_match_end) !=
          std::string::npos);
}

TEST_CASE("the full-text index stays consistent through every kind of change", "[store][search]") {
    Fixture f;
    std::vector<ServerMessage> batch;
    for (int uid = 1; uid <= 200; ++uid) batch.push_back(server_message(uid, "subject " + std::to_string(uid)));
    f.store.add_messages(f.inbox, batch);
    check_index(f.db);
    for (int uid = 1; uid <= 200; uid += 3) f.store.set_body(f.inbox, uid, full_message("s", "body " + std::to_string(uid)));
    check_index(f.db);
    f.store.add_messages(f.inbox, batch);  // updates
    check_index(f.db);
    std::vector<std::int64_t> gone;
    for (int uid = 1; uid <= 200; uid += 2) gone.push_back(uid);
    f.store.remove_uids(f.inbox, gone);
    check_index(f.db);
    f.store.queue_move(f.inbox, 4, f.archive);
    f.store.queue_delete(f.inbox, 6);
    check_index(f.db);
    f.store.queue_append(f.archive, full_message("local", "only"), 0);
    f.store.reset_folder(f.inbox, 99);
    check_index(f.db);
    CHECK(f.db.query_int("SELECT count(*) FROM message_text") == 1);  // the local-only append
    f.store.remove_folder(f.archive);
    check_index(f.db);
    CHECK(f.db.query_int("SELECT count(*) FROM message_text") == 0);
}

TEST_CASE("listing and unread counts use the folder indexes", "[store]") {
    Fixture f;
    auto plan = [&](const std::string& sql) {
        std::string out;
        auto st = f.db.prepare("EXPLAIN QUERY PLAN " + sql);
        while (st.step()) out += st.column_text(3) + "\n";
        return out;
    };
    CHECK_THAT(plan("SELECT id FROM messages m WHERE m.folder_id = 1 ORDER BY m.date DESC, m.id DESC LIMIT 50"),
               Catch::Contains("messages_by_date") && !Catch::Contains("TEMP B-TREE"));
    CHECK_THAT(plan("SELECT count(*) FROM messages WHERE folder_id = 1 AND (flags & 1) = 0"),
               Catch::Contains("messages_unread"));
    CHECK_THAT(plan("SELECT uid FROM messages WHERE folder_id = 1 AND body_state = 'none' AND uid IS NOT NULL "
                    "AND internal_date >= 0 ORDER BY internal_date DESC, uid DESC LIMIT 5"),
               Catch::Contains("messages_without_body"));
}

namespace {

// Raises an Error if the header index disagrees with its content table.
void check_header_index(Database& db) {
    CHECK_NOTHROW(db.exec("INSERT INTO message_header_index(message_header_index, rank) VALUES('integrity-check', 1)"));
}

// What search() answered before from:, to: and subject: had their own index: every match of the
// whole index ranked by bm25, newest first on equal ranks, with its snippet. Only for queries with
// fewer matches than a rank window, where the windowed ranking of one account gives the same.
struct Reference {
    std::vector<std::int64_t> uids, ranks;
    std::vector<std::string> snippets;
};
Reference whole_index_search(Database& db, std::int64_t account, const std::string& text) {
    const auto compiled = compile_search(parse_search_query(text), 3);
    auto st = db.prepare(
        "SELECT m.uid, CAST(bm25(message_index, 10.0, 5.0, 3.0, 1.0) * 1000000 AS INTEGER),"
        " snippet(message_index, -1, char(2), char(3), '…', 16)"
        " FROM message_index JOIN messages m ON m.id = message_index.rowid JOIN folders f ON f.id = m.folder_id"
        " WHERE message_index MATCH ?1 AND f.account_id = ?2" + compiled.conditions + " ORDER BY 2, m.id DESC");
    st.bind(1, compiled.match).bind(2, account);
    for (std::size_t i = 0; i < compiled.parameters.size(); ++i) st.bind(3 + static_cast<int>(i), compiled.parameters[i]);
    Reference r;
    while (st.step()) {
        r.uids.push_back(st.column_int(0));
        r.ranks.push_back(st.column_int(1));
        r.snippets.push_back(st.column_text(2));
    }
    return r;
}

// search() of one account answers `text` as whole_index_search does: the same messages in the
// same order, with the same ranks, snippets and count, and pages through the same order.
void check_as_whole_index(Database& db, MessageStore& store, std::int64_t account, const std::string& text) {
    INFO(text);
    const auto expected = whole_index_search(db, account, text);
    REQUIRE(expected.uids.size() < 2000);
    const auto page = store.search(account, parse_search_query(text), 0, 1000);
    CHECK(page.total == static_cast<std::int64_t>(expected.uids.size()));
    REQUIRE(page.hits.size() == expected.uids.size());
    for (std::size_t i = 0; i < page.hits.size(); ++i) {
        INFO("hit " << i);
        CHECK(page.hits[i].summary.uid == expected.uids[i]);
        CHECK(page.hits[i].rank == static_cast<double>(expected.ranks[i]) / 1e6);
        CHECK(page.hits[i].snippet == expected.snippets[i]);
    }
    const auto second = store.search(account, parse_search_query(text), 7, 5);
    for (std::size_t i = 0; i < second.hits.size(); ++i) CHECK(second.hits[i].summary.uid == expected.uids[7 + i]);
}

// Senders, recipients and subjects whose words are also in other messages' bodies, bodies of
// many lengths (bm25 weighs a match by the length of the whole message, body included).
void add_mixed_mail(Fixture& f, std::int64_t n) {
    const char* senders[] = {"Priya Raman <priya@example.org>", "Bob Board <bob.board@example.net>",
                             "Meeting Bot <noreply@example.com>", "Jiří Novák <jiri@example.cz>"};
    const char* subjects[] = {"Board meeting minutes", "report for priya", "lunch", "Re: board meeting agenda",
                              "meeting notes and the board report"};
    std::vector<ServerMessage> batch;
    for (std::int64_t uid = 1; uid <= n; ++uid)
        batch.push_back(server_message(uid, subjects[uid % 5], uid % 3 ? 0 : Seen, senders[uid % 4]));
    f.store.add_messages(f.inbox, batch);
    for (std::int64_t uid = 1; uid <= n; uid += 2) {
        std::string body;
        for (std::int64_t k = 0; k < uid % 37; ++k) body += k % 5 ? "words to fill the body " : "priya said the board ";
        if (uid % 3 == 0) body += "see the report from the meeting";
        f.store.set_body(f.inbox, uid, full_message(subjects[uid % 5], body));
    }
}

}  // namespace

TEST_CASE("from:, to: and subject: read the header index and answer exactly as the whole index did",
          "[store][search]") {
    Fixture f;
    add_mixed_mail(f, 600);
    check_index(f.db);
    check_header_index(f.db);
    for (const char* q : {"from:priya", "subject:\"board meeting\"", "to:bob", "from:pri*", "subject:board from:jiri",
                          "report from:priya", "from:priya report", "meeting from:bot board", "priya subject:report",
                          "subject:\"board meeting\" priya is:unread", "from:priya after:2024-01-10",
                          "to:\"bob@example.net\" has:attachment", "from:nobody", "from:priya nothing-like-this",
                          "from:!!! priya"})
        check_as_whole_index(f.db, f.store, f.account, q);
    CHECK(f.search("from:priya").total == 150);
    CHECK(f.search("report from:priya").total > 0);
}

TEST_CASE("with another account's mail, column queries filter by account and still rank as the whole index did",
          "[store][search]") {
    Fixture f;
    add_mixed_mail(f, 300);
    const auto other = add_account(f.db, "other@example.org");
    const auto others_inbox = f.store.upsert_folder(other, "INBOX", "/", "inbox");
    f.store.add_messages(others_inbox, {server_message(1, "board meeting", 0, "Priya <priya@example.org>")});
    for (const char* q : {"from:priya", "report from:priya", "subject:\"board meeting\" priya"})
        check_as_whole_index(f.db, f.store, f.account, q);
    CHECK(f.store.search(other, parse_search_query("from:priya"), 0, 10).total == 1);
}

TEST_CASE("the header index follows every change: a new sender, a body, a delete, a move, a reset", "[store][search]") {
    Fixture f;
    std::vector<ServerMessage> batch;
    for (int uid = 1; uid <= 50; ++uid) batch.push_back(server_message(uid, "quarterly figures", 0, "Old Name <old@example.org>"));
    f.store.add_messages(f.inbox, batch);
    CHECK(f.search("from:old").total == 50);
    check_header_index(f.db);

    // The server sends the same UIDs with other headers: the old words leave the header index.
    for (auto& m : batch) m.header_bytes = headers(m.uid, "yearly summary", "New Person <new@example.org>");
    f.store.add_messages(f.inbox, batch);
    CHECK(f.search("from:old").total == 0);
    CHECK(f.search("subject:quarterly").total == 0);
    CHECK(f.search("from:new subject:yearly").total == 50);
    check_header_index(f.db);

    // A body brings the full message's headers (here another subject and sender) and a body.
    f.store.set_body(f.inbox, 1, full_message("changed by the body", "some text"));
    CHECK(f.search("subject:changed").total == 1);
    CHECK(f.search("from:alice").total == 1);
    CHECK(f.search("from:new").total == 49);
    CHECK(f.search("from:alice text").total == 1);
    check_header_index(f.db);

    f.store.remove_uids(f.inbox, {2, 3});
    CHECK(f.search("from:new").total == 47);
    f.store.queue_delete(f.inbox, 4);
    f.store.queue_move(f.inbox, 5, f.archive);
    CHECK(f.search("from:new").total == 46);  // the moved one is found in the archive, the deleted one is not
    check_header_index(f.db);
    f.store.reset_folder(f.inbox, 77);  // the move waited for the server too: it goes, and its local row
    CHECK(f.search("from:new").total == 0);
    CHECK(f.search("to:bob").total == 0);
    CHECK(whole_index_search(f.db, f.account, "to:bob").uids.empty());
    f.store.queue_append(f.archive, full_message("a draft", "draft text"), 0);
    CHECK(f.search("from:alice subject:draft").total == 1);
    f.store.remove_folder(f.archive);
    CHECK(f.search("from:alice").total == 0);
    check_index(f.db);
    check_header_index(f.db);
}

TEST_CASE("a profile from before the header index gets it filled by the migration", "[store][search][migrations]") {
    TempDir tmp;
    {
        Database db(tmp / "tern.db", Database::Mode::ReadWriteCreate);
        const auto& all = profile_migrations();
        const auto header_index = std::find_if(all.begin(), all.end(), [](const Migration& m) {
            return std::string(m.sql).find("message_header_index") != std::string::npos;
        });
        REQUIRE(header_index != all.end());
        migrate(db, std::vector<Migration>(all.begin(), header_index));
        REQUIRE(db.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'message_header_index'") == 0);
        MessageStore store(db);
        const auto account = add_account(db, "me@example.org");
        const auto inbox = store.upsert_folder(account, "INBOX", "/", "inbox");
        std::vector<ServerMessage> batch;
        for (int uid = 1; uid <= 40; ++uid)
            batch.push_back(server_message(uid, uid % 4 ? "weekly" : "board meeting", 0,
                                           uid % 2 ? "Priya <priya@example.org>" : "Alice <alice@example.org>"));
        store.add_messages(inbox, batch);
        store.set_body(inbox, 8, full_message("board meeting", "priya wrote this"));
    }
    auto profile = Profile::open(tmp.path());
    Database& db = profile.db();
    MessageStore store(db);
    CHECK(db.query_int("PRAGMA user_version") == current_schema_version());
    check_header_index(db);
    CHECK(db.query_int("SELECT count(*) FROM message_header_index WHERE message_header_index MATCH 'sender : priya'") == 20);
    for (const char* q : {"from:priya", "subject:\"board meeting\"", "priya subject:board", "to:bob"})
        check_as_whole_index(db, store, 1, q);
    CHECK(store.search(1, parse_search_query("from:priya"), 0, 100).total == 20);
    CHECK(store.search(1, parse_search_query("subject:\"board meeting\""), 0, 100).total == 10);
    CHECK(store.search(1, parse_search_query("priya subject:board"), 0, 100).total == 1);  // uid 8's body
    // New mail after the migration goes into it too.
    store.add_messages(1, {server_message(41, "board meeting", 0, "Priya <priya@example.org>")});
    CHECK(store.search(1, parse_search_query("from:priya subject:board"), 0, 100).total == 1);
    check_header_index(db);
}
