// Pop3Download against the real Dovecot of tests/env, seeded through IMAP APPEND.
//
// alice's INBOX (main instance, POP3S_PORT) is shared with other tests, so the tests there only
// read it and look at their own unique subjects. The tests tagged [dave] delete from the server:
// they use dave's INBOX on the fallback instance (FALLBACK_POP3S_PORT, where his password works),
// which no other test reads or fills, and CTest runs them one at a time (RESOURCE_LOCK
// tern_mailbox_dave); each starts by emptying that INBOX, so they can count exactly.
#include "env_file.hpp"
#include "mail_test_data.hpp"
#include "temp_dir.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/imap_sync.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/pop3_download.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

using namespace tern;
using namespace tern::mail;
using namespace std::chrono_literals;

namespace {

using test::test_message;
using test::unique_name;

// A mailbox of the test environment: who signs in, and where.
struct Mailbox {
    std::string user_key, password_key, pop3_port_key, imap_port_key;
};
const Mailbox alice{"PASSWORD_USER1", "PASSWORD_USER1_PASSWORD", "POP3S_PORT", "IMAPS_PORT"};
const Mailbox dave{"OAUTH_USER2", "OAUTH_USER2_PASSWORD", "FALLBACK_POP3S_PORT", "FALLBACK_IMAPS_PORT"};

// One person's Tern: a fresh profile with a POP3 account for the mailbox.
struct Client {
    test::TestEnvironment env;
    Mailbox box;
    test::TempDir home;
    Profile profile = Profile::open(home.path());
    std::int64_t account_id = 0;
    MessageStore store{profile.db()};

    explicit Client(const Mailbox& mailbox) : box(mailbox) {
        auto st = profile.db().prepare(
            "INSERT INTO accounts (email, provider, mode, created_at) VALUES (?1, 'custom', 'password', 0)");
        st.bind(1, env.get(box.user_key)).run();
        account_id = profile.db().last_insert_rowid();
    }

    ConnectionOptions options(MailProtocol protocol, const std::string& password = {}) const {
        ConnectionOptions o;
        const auto& port_key = protocol == MailProtocol::Pop3 ? box.pop3_port_key : box.imap_port_key;
        o.server = {protocol, "127.0.0.1", std::stoi(env.get(port_key)), TlsMode::Ssl, {}};
        o.credentials = std::make_shared<FixedCredentials>(SaslLogin{
            SaslMechanism::Password, env.get(box.user_key), Secret(password.empty() ? env.get(box.password_key) : password)});
        o.trust.extra_ca_file = env.get("TERN_CA_FILE");
        o.timeout = 10s;
        return o;
    }

    Pop3Report download(Pop3Settings settings = {}, const SyncProgressFn& progress = {},
                        std::shared_ptr<const CancelToken> cancel = nullptr) {
        auto o = options(MailProtocol::Pop3);
        o.cancel = std::move(cancel);
        return Pop3Download(profile.db(), account_id, o, settings).download(progress);
    }

    // Puts messages into the mailbox's INBOX on the server (IMAP APPEND).
    void seed(const std::vector<std::string>& raws) {
        ImapSync imap(store, account_id, options(MailProtocol::Imap));
        for (const auto& raw : raws) imap.append("INBOX", raw, 0);
    }

    std::int64_t inbox() {
        const auto f = store.folder(account_id, "INBOX");
        REQUIRE(f);
        CHECK(f->role == "inbox");
        return f->id;
    }

    // How many times each subject is stored here.
    std::map<std::string, int> subjects() {
        std::map<std::string, int> out;
        for (const auto& m : store.list(inbox(), 0, 1000000)) ++out[m.subject];
        return out;
    }

    int count(const std::string& subject) {
        const auto all = subjects();
        const auto it = all.find(subject);
        return it == all.end() ? 0 : it->second;
    }

    std::int64_t uid_of(const std::string& subject) {
        for (const auto& m : store.list(inbox(), 0, 1000000))
            if (m.subject == subject) return m.uid;
        FAIL("no message " << subject);
        return 0;
    }

    std::int64_t ledger_count(const std::string& where = "1") {
        return profile.db().query_int("SELECT count(*) FROM pop3_uidls WHERE account_id = " +
                                      std::to_string(account_id) + " AND (" + where + ")");
    }

    void check_consistent() {
        CHECK(profile.db().query_text("PRAGMA integrity_check") == "ok");
        // Every message here came through the ledger, once, and every finished row has its message,
        // except those the person deleted here, which are then gone from the server too.
        CHECK(profile.db().query_int("SELECT count(*) FROM (SELECT uid FROM messages WHERE folder_id = " +
                                     std::to_string(inbox()) + " GROUP BY uid HAVING count(*) > 1)") == 0);
        CHECK(profile.db().query_int("SELECT count(*) FROM messages m WHERE m.folder_id = " + std::to_string(inbox()) +
                                     " AND NOT EXISTS (SELECT 1 FROM pop3_uidls u WHERE u.account_id = " +
                                     std::to_string(account_id) + " AND u.uid = m.uid)") == 0);
        CHECK(profile.db().query_int("SELECT count(*) FROM pop3_uidls u WHERE u.account_id = " +
                                     std::to_string(account_id) +
                                     " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.uid = u.uid AND m.folder_id = " +
                                     std::to_string(inbox()) + " AND m.body_state = 'downloaded') AND NOT ("
                                     "u.deleted_on_server = 1 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.uid = u.uid "
                                     "AND m.folder_id = " + std::to_string(inbox()) + "))") == 0);
        CHECK(ledger_count("downloaded_at IS NULL") == 0);
    }
};

// Message i says "<word> <word>x<i>", for searches that find all of them or one.
std::vector<std::string> seed_messages(Client& c, const std::string& prefix, int n, std::vector<std::string>* subjects,
                                       const std::string& word = "pop3") {
    std::vector<std::string> raws;
    for (int i = 0; i < n; ++i) {
        const auto subject = prefix + "-" + std::to_string(i);
        if (subjects) subjects->push_back(subject);
        raws.push_back(test_message(subject, "kestrel " + word + " " + word + "x" + std::to_string(i)));
    }
    c.seed(raws);
    return raws;
}

// Deletes the file of the message with this subject from the mailbox's Maildir behind Dovecot's
// back: another program removing it. True when found.
bool remove_from_maildir(const test::TestEnvironment& env, const std::string& user, const std::string& subject) {
    const auto maildir = std::filesystem::path(env.get("TERN_ENV_DIR")) / "mail" / user.substr(0, user.find('@')) / "Maildir";
    for (const char* sub : {"cur", "new"}) {
        for (const auto& entry : std::filesystem::directory_iterator(maildir / sub)) {
            std::ifstream in(entry.path(), std::ios::binary);
            std::stringstream text;
            text << in.rdbuf();
            // Dovecot keeps the files with bare LF line ends.
            const auto& t = text.str();
            if (t.find("Subject: " + subject + "\n") == std::string::npos &&
                t.find("Subject: " + subject + "\r\n") == std::string::npos)
                continue;
            std::filesystem::remove(entry.path());
            return true;
        }
    }
    return false;
}

// dave's INBOX on the server, emptied by a POP3 client that keeps nothing on the server.
void empty_daves_inbox() {
    Client scratch(dave);
    Pop3Settings take_all;
    take_all.leave_on_server = false;
    scratch.download(take_all);
    REQUIRE(Client(dave).download().on_server == 0);
}

}  // namespace

TEST_CASE("a download stores new mail whole and searchable, the next one downloads nothing twice, and the mail "
          "stays on the server",
          "[pop3]") {
    Client mine(alice);
    const auto prefix = unique_name("pop3-basic");
    std::vector<std::string> subjects;
    std::random_device rd;
    const auto word = "pq" + std::to_string(rd() % 1000000000);
    const auto raws = seed_messages(mine, prefix, 3, &subjects, word);
    // Lines that start with "." travel dot-stuffed; a line of just "." would otherwise end the message.
    const auto dots = test_message(prefix + "-dots", ".starts with a dot\r\n..two dots\r\n.\r\nafter a lone dot");
    mine.seed({dots});

    std::vector<SyncProgress> progress;
    const auto first = mine.download({}, [&](const SyncProgress& p) { progress.push_back(p); });
    CHECK(first.downloaded >= 4);
    CHECK(first.on_server >= 4);
    CHECK(first.deleted_on_server == 0);
    for (const auto& s : subjects) CHECK(mine.count(s) == 1);
    REQUIRE_FALSE(progress.empty());
    CHECK(progress.back().folder == "INBOX");
    CHECK(progress.back().done == first.downloaded);

    // Whole messages: the body reads and is searchable, and the bytes are the ones sent.
    const auto uid = mine.uid_of(subjects[1]);
    const auto detail = mine.store.message(mine.inbox(), uid);
    REQUIRE(detail);
    CHECK(detail->summary.body_downloaded);
    CHECK(detail->text_body.find("kestrel") != std::string::npos);
    CHECK(mine.store.raw_message(mine.inbox(), uid) == raws[1]);
    CHECK(mine.store.raw_message(mine.inbox(), mine.uid_of(prefix + "-dots")) == dots);
    const auto hits = mine.store.search(mine.account_id, parse_search_query(word + "x1"), 0, 10);
    REQUIRE(hits.hits.size() == 1);
    CHECK(hits.hits[0].summary.uid == uid);
    CHECK(mine.store.search(mine.account_id, parse_search_query(word), 0, 10).total == 3);
    CHECK(mine.store.counts(mine.inbox()).unread >= 3);

    // UIDL tracking: nothing seen before comes again (other tests may deliver new mail meanwhile).
    const auto stored = mine.subjects();
    const auto second = mine.download();
    CHECK(second.downloaded == mine.ledger_count() - first.downloaded);
    for (const auto& s : subjects) CHECK(mine.count(s) == 1);
    CHECK(mine.uid_of(subjects[1]) == uid);
    for (const auto& [subject, n] : stored) CHECK(mine.count(subject) == n);
    mine.check_consistent();

    // Left on the server (the default): another Tern finds them there.
    Client other(alice);
    other.download();
    for (const auto& s : subjects) CHECK(other.count(s) == 1);
}

TEST_CASE("a wrong password is AuthRejected and stores nothing", "[pop3]") {
    Client mine(alice);
    auto o = mine.options(MailProtocol::Pop3, "not-the-password");
    try {
        Pop3Download(mine.profile.db(), mine.account_id, o).download();
        FAIL("signed in with a wrong password");
    } catch (const Error& e) {
        INFO(e.log_line());
        CHECK(e.category() == ErrorCategory::AuthRejected);
        CHECK(e.message().find(o.server.host) != std::string::npos);
    }
    CHECK(mine.profile.db().query_int("SELECT count(*) FROM messages") == 0);
    CHECK(mine.ledger_count() == 0);
}

TEST_CASE("exact counts: new mail once, nothing twice, and a fresh profile sees it all again", "[pop3][dave]") {
    empty_daves_inbox();
    Client mine(dave);
    std::vector<std::string> subjects;
    seed_messages(mine, unique_name("pop3-exact"), 5, &subjects);

    const auto first = mine.download();
    CHECK(first.on_server == 5);
    CHECK(first.downloaded == 5);
    CHECK(mine.subjects().size() == 5);

    const auto second = mine.download();
    CHECK(second.on_server == 5);
    CHECK(second.downloaded == 0);
    CHECK(second.gone_from_server == 0);
    CHECK(mine.subjects().size() == 5);

    std::vector<std::string> more;
    seed_messages(mine, unique_name("pop3-more"), 2, &more);
    const auto third = mine.download();
    CHECK(third.downloaded == 2);
    for (const auto& s : more) CHECK(mine.count(s) == 1);
    // New mail gets uids above the earlier ones.
    for (const auto& s : subjects) CHECK(mine.uid_of(s) < mine.uid_of(more[0]));
    mine.check_consistent();

    Client fresh(dave);
    CHECK(fresh.download().downloaded == 7);
}

TEST_CASE("leave_on_server=false deletes from the server once stored here, and the copy here stays",
          "[pop3][dave]") {
    empty_daves_inbox();
    Client mine(dave);
    std::vector<std::string> subjects;
    seed_messages(mine, unique_name("pop3-move"), 4, &subjects);

    Pop3Settings move;
    move.leave_on_server = false;
    std::vector<SyncProgress> progress;
    const auto first = mine.download(move, [&](const SyncProgress& p) { progress.push_back(p); });
    CHECK(first.downloaded == 4);
    CHECK(first.deleted_on_server == 4);
    CHECK(mine.ledger_count("deleted_on_server = 1") == 4);
    CHECK_FALSE(progress.empty());
    CHECK(progress.back().stage == SyncProgress::Stage::Changes);

    CHECK(Client(dave).download().on_server == 0);
    for (const auto& s : subjects) {
        CHECK(mine.count(s) == 1);
        const auto detail = mine.store.message(mine.inbox(), mine.uid_of(s));
        REQUIRE(detail);
        CHECK(detail->text_body.find("kestrel") != std::string::npos);
    }
    const auto again = mine.download(move);
    CHECK(again.downloaded == 0);
    CHECK(again.deleted_on_server == 0);
    CHECK(again.gone_from_server == 0);  // known: deleted by this profile
    mine.check_consistent();
}

TEST_CASE("a message deleted here is deleted on the server by the next download, and only that one",
          "[pop3][dave]") {
    empty_daves_inbox();
    Client mine(dave);
    std::vector<std::string> subjects;
    seed_messages(mine, unique_name("pop3-dele"), 3, &subjects);
    CHECK(mine.download().downloaded == 3);

    // Deleted and flagged here: the delete waits for the server, the flag has nowhere to go.
    mine.store.queue_delete(mine.inbox(), mine.uid_of(subjects[0]));
    mine.store.queue_flag_change(mine.inbox(), mine.uid_of(subjects[1]), MessageFlag::Flagged, 0);
    CHECK(mine.store.pending(mine.account_id).size() == 2);
    const auto next = mine.download();
    CHECK(next.deleted_on_server == 1);
    CHECK(next.downloaded == 0);
    CHECK(mine.store.pending(mine.account_id).empty());

    // Another client finds the other two on the server; here the deleted one stays deleted.
    Client other(dave);
    CHECK(other.download().on_server == 2);
    CHECK(other.count(subjects[0]) == 0);
    CHECK(other.count(subjects[1]) == 1);
    CHECK(mine.count(subjects[0]) == 0);
    CHECK(mine.download().downloaded == 0);
    mine.check_consistent();
}

TEST_CASE("delete_after_days deletes only what has been here longer than that", "[pop3][dave]") {
    empty_daves_inbox();
    Client mine(dave);
    std::vector<std::string> old_ones, new_ones;
    seed_messages(mine, unique_name("pop3-old"), 3, &old_ones);
    Pop3Settings week;
    week.delete_after_days = 7;
    const auto first = mine.download(week);
    CHECK(first.downloaded == 3);
    CHECK(first.deleted_on_server == 0);

    // Eight days pass for those three.
    mine.profile.db().exec("UPDATE pop3_uidls SET downloaded_at = downloaded_at - 8 * 86400");
    seed_messages(mine, unique_name("pop3-new"), 2, &new_ones);
    const auto second = mine.download(week);
    CHECK(second.downloaded == 2);
    CHECK(second.deleted_on_server == 3);

    Client fresh(dave);
    CHECK(fresh.download().downloaded == 2);
    for (const auto& s : new_ones) CHECK(fresh.count(s) == 1);
    for (const auto& s : old_ones) CHECK(fresh.count(s) == 0);
    for (const auto& s : old_ones) CHECK(mine.count(s) == 1);  // still here
    mine.check_consistent();
}

TEST_CASE("mail deleted on the server by someone else stays here", "[pop3][dave]") {
    empty_daves_inbox();
    Client mine(dave);
    std::vector<std::string> subjects;
    seed_messages(mine, unique_name("pop3-elsewhere"), 3, &subjects);
    mine.download();

    Client other(dave);
    Pop3Settings take_all;
    take_all.leave_on_server = false;
    CHECK(other.download(take_all).deleted_on_server == 3);

    const auto after = mine.download();
    CHECK(after.on_server == 0);
    CHECK(after.gone_from_server == 3);
    CHECK(mine.ledger_count("deleted_on_server = 1") == 3);
    for (const auto& s : subjects) CHECK(mine.count(s) == 1);
    CHECK(mine.download().gone_from_server == 0);
    mine.check_consistent();
}

TEST_CASE("cancel between batches keeps whole batches, and the next download completes without doubles",
          "[pop3][dave]") {
    empty_daves_inbox();
    Client mine(dave);
    std::vector<std::string> subjects;
    seed_messages(mine, unique_name("pop3-cancel"), 25, &subjects);

    auto cancel = std::make_shared<CancelToken>();
    Pop3Settings small;
    small.batch = 10;
    try {
        mine.download(small, [&](const SyncProgress& p) {
            if (p.stage == SyncProgress::Stage::Headers && p.done >= 10) cancel->cancel();
        }, cancel);
        FAIL("the download was not cancelled");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::Cancelled);
    }
    CHECK(mine.subjects().size() == 10);
    CHECK(mine.ledger_count() == 10);
    mine.check_consistent();

    const auto resumed = mine.download(small);
    CHECK(resumed.downloaded == 15);
    const auto all = mine.subjects();
    CHECK(all.size() == 25);
    for (const auto& s : subjects) CHECK(mine.count(s) == 1);
    mine.check_consistent();
}

TEST_CASE("a pass cut off between reserving uids and storing the messages is finished by the next one",
          "[pop3][dave]") {
    empty_daves_inbox();
    Client mine(dave);
    std::vector<std::string> subjects;
    seed_messages(mine, unique_name("pop3-cut"), 3, &subjects);
    mine.download();
    const auto lost_uid = mine.uid_of(subjects[0]), stored_uid = mine.uid_of(subjects[1]);

    // The states a kill leaves: uid reserved but the message not stored; message stored but the
    // UIDL not yet marked downloaded.
    auto& db = mine.profile.db();
    db.exec("DELETE FROM messages WHERE uid = " + std::to_string(lost_uid));
    db.exec("UPDATE pop3_uidls SET downloaded_at = NULL WHERE uid IN (" + std::to_string(lost_uid) + ", " +
            std::to_string(stored_uid) + ")");

    const auto resumed = mine.download();
    CHECK(resumed.downloaded == 1);
    for (const auto& s : subjects) CHECK(mine.count(s) == 1);
    CHECK(mine.uid_of(subjects[0]) == lost_uid);
    CHECK(mine.uid_of(subjects[1]) == stored_uid);
    mine.check_consistent();
}

TEST_CASE("a message the server cannot send is skipped, and the rest of the mail still comes", "[pop3][dave]") {
    empty_daves_inbox();
    Client mine(dave);
    std::vector<std::string> subjects;
    seed_messages(mine, unique_name("pop3-vanish"), 12, &subjects);

    // After the first batch, another program deletes a message of the second from the mailbox:
    // this session still lists it, but RETR cannot give it.
    Pop3Settings small;
    small.batch = 5;
    bool removed = false;
    const auto report = mine.download(small, [&](const SyncProgress& p) {
        if (p.stage == SyncProgress::Stage::Headers && p.done == 5 && !removed)
            removed = remove_from_maildir(mine.env, mine.env.get(dave.user_key), subjects[7]);
    });
    REQUIRE(removed);
    CHECK(report.skipped == 1);
    CHECK(report.downloaded == 11);
    CHECK(mine.count(subjects[7]) == 0);
    for (std::size_t i = 0; i < subjects.size(); ++i)
        if (i != 7) CHECK(mine.count(subjects[i]) == 1);
    mine.check_consistent();

    const auto next = mine.download(small);
    CHECK(next.on_server == 11);
    CHECK(next.downloaded == 0);
    CHECK(next.skipped == 0);
}
