// The POP3 UIDL ledger (migration 4) and the rule that decides what may be deleted from the
// server: what a download relies on to never lose, double or wrongly delete a message.
#include "temp_dir.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/pop3_download.hpp"
#include "tern/mail/pop3_uidls.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::mail;
using tern::test::TempDir;

namespace {

constexpr std::int64_t day = 24 * 60 * 60;

std::int64_t add_account(Database& db, const std::string& email) {
    auto st = db.prepare("INSERT INTO accounts(email, provider, mode, created_at) VALUES (?1, 'custom', 'password', 1)");
    st.bind(1, email).run();
    return db.last_insert_rowid();
}

struct Fixture {
    TempDir home;
    Profile profile = Profile::open(home.path());
    std::int64_t account = add_account(profile.db(), "pop@example.test");
    MessageStore store{profile.db()};
    std::int64_t inbox = store.upsert_folder(account, "INBOX", "/", "inbox");
    Pop3Uidls ledger{profile.db(), account};
};

Pop3UidlRow row_of(Pop3Uidls& ledger, const std::string& uidl) {
    for (const auto& row : ledger.rows())
        if (row.uidl == uidl) return row;
    FAIL("no ledger row for " << uidl);
    return {};
}

}  // namespace

TEST_CASE("the ledger gives each UIDL one uid, above every uid the INBOX has, and keeps it", "[pop3]") {
    Fixture f;
    ServerMessage existing;
    existing.uid = 7;
    existing.header_bytes = "Subject: there before\r\n\r\n";
    f.store.add_messages(f.inbox, {existing});

    CHECK(f.ledger.reserve(f.inbox, {"a", "b"}) == std::vector<std::int64_t>{8, 9});
    // A pass that stopped after reserving asks again: same uids, and new ones continue above.
    CHECK(f.ledger.reserve(f.inbox, {"b", "c", "a"}) == std::vector<std::int64_t>{9, 10, 8});
    const auto rows = f.ledger.rows();
    REQUIRE(rows.size() == 3);
    for (const auto& row : rows) {
        CHECK_FALSE(row.downloaded_at);
        CHECK_FALSE(row.deleted_on_server);
    }

    f.ledger.mark_downloaded({"a", "c"}, 1000);
    CHECK(row_of(f.ledger, "a").downloaded_at == 1000);
    CHECK_FALSE(row_of(f.ledger, "b").downloaded_at);
    // Marking again does not move the download date (the deletion age counts from the first).
    f.ledger.mark_downloaded({"a"}, 5000);
    CHECK(row_of(f.ledger, "a").downloaded_at == 1000);

    // Only a reserved row can be forgotten: a downloaded one must stay, or it would come again.
    f.ledger.forget({"a", "b"});
    const auto left = f.ledger.rows();
    REQUIRE(left.size() == 2);
    CHECK(left[0].uidl == "a");
    CHECK(left[1].uidl == "c");

    f.ledger.mark_deleted_on_server({"c"});
    CHECK(row_of(f.ledger, "c").deleted_on_server);
    CHECK_FALSE(row_of(f.ledger, "a").deleted_on_server);
}

TEST_CASE("uids never go back: a new UIDL gets a uid above the highest ever given", "[pop3]") {
    Fixture f;
    f.ledger.reserve(f.inbox, {"a", "b", "c"});
    f.ledger.mark_downloaded({"a", "b", "c"}, 1);
    // The person deleted the newest message here: its uid is still taken by its UIDL.
    CHECK(f.ledger.reserve(f.inbox, {"d"}) == std::vector<std::int64_t>{4});
}

TEST_CASE("two accounts keep separate ledgers, and removing an account removes its ledger", "[pop3]") {
    Fixture f;
    const auto other = add_account(f.profile.db(), "other@example.test");
    const auto other_inbox = f.store.upsert_folder(other, "INBOX", "/", "inbox");
    Pop3Uidls theirs(f.profile.db(), other);
    f.ledger.reserve(f.inbox, {"same-uidl"});
    CHECK(theirs.reserve(other_inbox, {"same-uidl", "x"}) == std::vector<std::int64_t>{1, 2});
    CHECK(f.ledger.rows().size() == 1);

    f.profile.db().exec("DELETE FROM accounts WHERE email = 'other@example.test'");
    CHECK(theirs.rows().empty());
    CHECK(f.ledger.rows().size() == 1);
}

TEST_CASE("what may be deleted from the server follows the settings, and never a message not stored here",
          "[pop3]") {
    const std::int64_t now = 100 * day;
    Pop3UidlRow stored{"u", 1, now - 3 * day, false};
    Pop3UidlRow reserved{"r", 2, std::nullopt, false};
    Pop3UidlRow already_deleted{"d", 3, now - 30 * day, true};

    Pop3Settings keep;  // the default: leave on the server for good
    CHECK_FALSE(pop3_deletion_due(stored, keep, now));

    Pop3Settings at_once;
    at_once.leave_on_server = false;
    CHECK(pop3_deletion_due(stored, at_once, now));
    CHECK_FALSE(pop3_deletion_due(reserved, at_once, now));
    CHECK_FALSE(pop3_deletion_due(already_deleted, at_once, now));

    Pop3Settings after_days;
    after_days.delete_after_days = 3;
    CHECK_FALSE(pop3_deletion_due(stored, after_days, now));  // exactly 3 days: not more than 3
    stored.downloaded_at = now - 3 * day - 1;
    CHECK(pop3_deletion_due(stored, after_days, now));
    after_days.delete_after_days = 4;
    CHECK_FALSE(pop3_deletion_due(stored, after_days, now));
    CHECK_FALSE(pop3_deletion_due(reserved, after_days, now));
    CHECK_FALSE(pop3_deletion_due(already_deleted, after_days, now));
}
