// What the message list view reads (mail/message_listing): a folder's order as ids, by date,
// sender and subject both ways, and the summaries of a page in the order asked.
#include "temp_dir.hpp"

#include "tern/core/profile.hpp"
#include "tern/mail/message_listing.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::mail;

namespace {

ServerMessage message(std::int64_t uid, const std::string& from, const std::string& subject, int day) {
    ServerMessage m;
    m.uid = uid;
    m.internal_date = 1704067200 + uid;
    m.header_bytes = "Message-ID: <m" + std::to_string(uid) + "@example.org>\r\nFrom: " + from +
                     "\r\nTo: bob@example.net\r\nSubject: " + subject + "\r\nDate: " + std::to_string(day) +
                     " Jan 2024 10:00:00 +0000\r\n\r\n";
    return m;
}

std::vector<std::int64_t> uids_of(Database& db, const std::vector<std::int64_t>& ids) {
    std::vector<std::int64_t> uids;
    for (const auto& s : message_summaries(db, ids)) uids.push_back(s.uid);
    return uids;
}

}  // namespace

TEST_CASE("message listing: a folder's order as ids, and the summaries of a page in that order", "[listing]") {
    test::TempDir dir;
    auto profile = Profile::open(dir.path());
    auto& db = profile.db();
    db.exec("INSERT INTO accounts(email, provider, mode, created_at) VALUES ('a@example.org', 'custom', 'password', 1)");
    MessageStore store(db);
    const auto inbox = store.upsert_folder(db.last_insert_rowid(), "INBOX", "/", "inbox");
    store.add_messages(inbox, {message(1, "Carol <carol@example.org>", "budget", 3),
                               message(2, "alice@example.org", "Agenda", 1),
                               message(3, "Bob <bob@example.org>", "coffee", 2)});

    const auto by_date = ordered_message_ids(db, inbox, MessageOrder::Date, true);
    CHECK(uids_of(db, by_date) == std::vector<std::int64_t>{1, 3, 2});
    CHECK(uids_of(db, ordered_message_ids(db, inbox, MessageOrder::Date, false)) == std::vector<std::int64_t>{2, 3, 1});
    // The sender is the display name, or the address when there is none; case does not matter.
    CHECK(uids_of(db, ordered_message_ids(db, inbox, MessageOrder::Sender, false)) == std::vector<std::int64_t>{2, 3, 1});
    CHECK(uids_of(db, ordered_message_ids(db, inbox, MessageOrder::Subject, false)) == std::vector<std::int64_t>{2, 1, 3});
    CHECK(uids_of(db, ordered_message_ids(db, inbox, MessageOrder::Subject, true)) == std::vector<std::int64_t>{3, 1, 2});

    // A page: in the order asked, a removed message left out.
    store.remove_uids(inbox, {3});
    const auto page = message_summaries(db, {by_date[2], by_date[1], by_date[0]});
    REQUIRE(page.size() == 2);
    CHECK(page[0].uid == 2);
    CHECK(page[0].from_addr == "alice@example.org");
    CHECK(page[1].uid == 1);
    CHECK(page[1].from_name == "Carol");
    CHECK(message_summaries(db, {}).empty());

    // The reader reaches a message by its row id.
    const auto detail = store.message_by_id(by_date[0]);
    REQUIRE(detail);
    CHECK(detail->summary.subject == "budget");
    CHECK(detail->to == "bob@example.net");
    CHECK_FALSE(store.message_by_id(by_date[1]));
}
