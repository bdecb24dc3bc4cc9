// Fuzz target: the search box. Any text a person types goes through parse_search_query and
// MessageStore::search over a small real index; user text must only ever reach FTS5 as quoted
// strings and SQLite as bound parameters, so no SQL or FTS5 syntax error may come out of it.
//
// A run ends with abort() when: parse_search_query throws anything but BadInput; search throws
// anything but BadInput (an FTS5 "syntax error" is Storage: a defect); the page disagrees with
// its total; an FTS5 string made by fts5_quote from the raw bytes is not a valid MATCH expression.
#include "fuzz_profile.hpp"
#include "tern/core/error.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/search_query.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace tern;
using namespace tern::mail;

namespace {

constexpr std::size_t page_size = 5;

// A few messages with words in every column, some with attachments, read and unread.
constexpr std::string_view messages[] = {
    "From: Alice Example <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: Quarterly invoice 42\r\n"
    "Date: 2 Jan 2024 10:00:00 +0000\r\n\r\nPlease find the invoice attached. Thanks!\r\n",
    "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.de>\r\nTo: alice@example.org\r\nCc: carol@example.com\r\n"
    "Subject: =?UTF-8?B?w5xiZXJwcsO8ZnVuZw==?=\r\nDate: 3 Feb 2024 11:00:00 +0100\r\n"
    "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Gr&uuml;&szlig;e aus M&uuml;nchen, na&iuml;ve caf&eacute;</p>\r\n",
    "From: carol@example.com\r\nTo: bob@example.net\r\nSubject: report \"draft\" AND notes OR near(x)\r\n"
    "Date: 4 Mar 2024 12:00:00 -0500\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain\r\n\r\nsee the NEAR( draft* - notes ^ report : {subject}\r\n"
    "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=r.pdf\r\n\r\nJVBERi0=\r\n--b--\r\n",
    "From: =?UTF-8?B?2LnZhdix?= <omar@example.org>\r\nTo: bob@example.net\r\nSubject: "
    "=?UTF-8?B?2YHYp9iq2YjYsdip?= \xce\xb5\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac\r\n"
    "Date: 5 Apr 2024 13:00:00 +0300\r\n\r\n\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e text 2024-04-05 is:unread\r\n",
};

struct Harness {
    fuzz::FuzzProfile profile;
    MessageStore store{profile.db()};
    std::int64_t account = profile.add_account("fuzz@example.org");
    std::int64_t folder = store.upsert_folder(account, "INBOX", "/", "inbox");

    Harness() {
        std::int64_t uid = 0;
        for (const auto raw : messages) {
            ServerMessage m;
            m.uid = ++uid;
            m.flags = uid % 2 ? Seen : Flagged;
            m.internal_date = 1704067200 + uid * 86400;
            m.size = static_cast<std::int64_t>(raw.size());
            store.add_messages(folder, {m});
            if (!store.set_body(folder, uid, raw)) fuzz::fail("set_body did not find a seed message");
        }
    }
};

Harness& harness() {
    static Harness* h = new Harness();  // never destroyed: libFuzzer may exit() from any point
    return *h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Harness& h = harness();
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    SearchQuery query;
    try {
        query = parse_search_query(text);
    } catch (const Error& e) {
        if (e.category() != ErrorCategory::BadInput) fuzz::fail("parse_search_query threw", e);
        return 0;
    }
    const auto compiled = compile_search(query, 5);
    if (!query.terms.empty() && compiled.match.empty()) fuzz::fail("words compiled to no MATCH expression");

    SearchPage page;
    try {
        page = h.store.search(h.account, query, 0, page_size);
    } catch (const Error& e) {
        if (e.category() != ErrorCategory::BadInput) fuzz::fail("MessageStore::search threw", e);
        return 0;
    }
    if (page.total_is_capped || page.total < 0 ||
        page.hits.size() != std::min<std::size_t>(static_cast<std::size_t>(page.total), page_size))
        fuzz::fail("the page disagrees with its total", std::to_string(page.hits.size()) + " hits, total " +
                                                            std::to_string(page.total));
    if (page.total > static_cast<std::int64_t>(std::size(messages))) fuzz::fail("more hits than messages");

    // Any bytes quoted by fts5_quote are one FTS5 string, as a phrase or a prefix.
    try {
        for (const char* suffix : {"", "*"}) {
            auto st = h.profile.db().prepare("SELECT count(*) FROM message_index WHERE message_index MATCH ?1");
            st.bind(1, fts5_quote(text) + suffix);
            st.step();
        }
    } catch (const Error& e) {
        fuzz::fail("an fts5_quote string is not a valid MATCH expression", e);
    }
    return 0;
}
