#include "message_store_fixture.hpp"
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
using namespace tern::test;


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
