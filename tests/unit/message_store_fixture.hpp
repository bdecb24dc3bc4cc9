// Shared by the message store's unit tests (test_message_store.cpp: folders, messages, bodies,
// flags and queued changes; test_message_store_search.cpp: the full-text and header indexes):
// a profile with one account and two folders, and the mail they fill it with.
#pragma once

#include "temp_dir.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/message_store.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace tern::test {

using namespace tern::mail;


inline constexpr std::int64_t base_date = 1704067200;  // 2024-01-01T00:00:00Z

inline std::int64_t add_account(Database& db, const std::string& email) {
    auto st = db.prepare("INSERT INTO accounts(email, provider, mode, created_at) VALUES (?1, 'custom', 'password', 1)");
    st.bind(1, email).run();
    return db.last_insert_rowid();
}

inline std::string headers(std::int64_t n, const std::string& subject, const std::string& from) {
    return "Message-ID: <m" + std::to_string(n) + "@example.org>\r\n"
           "From: " + from + "\r\n"
           "To: Bob Receiver <bob@example.net>\r\n"
           "Subject: " + subject + "\r\n"
           "Date: " + std::to_string(1 + n % 28) + " Jan 2024 10:00:00 +0000\r\n\r\n";
}

inline ServerMessage server_message(std::int64_t uid, const std::string& subject, int flags = 0,
                             const std::string& from = "Alice <alice@example.org>") {
    ServerMessage m;
    m.uid = uid;
    m.flags = flags;
    m.internal_date = base_date + uid;
    m.size = 1000 + uid;
    m.header_bytes = headers(uid, subject, from);
    return m;
}

inline std::string full_message(const std::string& subject, const std::string& body) {
    return "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: " + subject +
           "\r\nDate: 2 Jan 2024 10:00:00 +0000\r\n"
           "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
           "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
           "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
}

// Raises an Error if the full-text index disagrees with its content table.
inline void check_index(Database& db) {
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


}  // namespace tern::test
