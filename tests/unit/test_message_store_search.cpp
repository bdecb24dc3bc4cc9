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
