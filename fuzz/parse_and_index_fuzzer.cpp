// Fuzz target: untrusted message bytes through the path a downloaded message takes. vmime has no
// fuzzing of its own, and Tern's MIME walk, header decoding and HTML conversion sit in front of it.
//
//   parse_message -> html_to_text -> MessageStore::add_messages + set_body (a real profile
//   database, one folder, increasing UIDs) -> a search made of the message's own words
//
// A run ends with abort() (libFuzzer reports the input) when: anything throws where the API says it
// does not; set_body does not find the message it was just given; the store does not give back
// the exact bytes or the text parse_message made; a word of the subject does not find the message;
// the FTS5 index disagrees with its content table (integrity-check) or PRAGMA quick_check fails.
// Every 128 inputs the folder is reset (UIDVALIDITY change) so the database stays small.
#include "fuzz_profile.hpp"
#include "tern/core/error.hpp"
#include "tern/mail/html_to_text.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/parsed_message.hpp"
#include "tern/mail/search_query.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace tern;
using namespace tern::mail;

namespace {

constexpr std::uint64_t check_every = 16;   // integrity checks
constexpr std::uint64_t reset_every = 128;  // folder reset: the database stays small

struct Harness {
    fuzz::FuzzProfile profile;
    MessageStore store{profile.db()};
    std::int64_t account = profile.add_account("fuzz@example.org");
    std::int64_t folder = store.upsert_folder(account, "INBOX", "/", "inbox");
    std::int64_t next_uid = 1;
    std::int64_t uidvalidity = 1;
    std::uint64_t inputs = 0;
};

Harness& harness() {
    static Harness* h = new Harness();  // never destroyed: libFuzzer may exit() from any point
    return *h;
}

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    return h;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// Blank-separated words of the first few KB of text.
void split_words(std::string_view text, std::vector<std::string_view>& out, std::size_t max_words) {
    text = text.substr(0, 4096);
    std::size_t i = 0;
    while (i < text.size() && out.size() < max_words) {
        while (i < text.size() && is_space(text[i])) ++i;
        const std::size_t start = i;
        while (i < text.size() && !is_space(text[i])) ++i;
        if (i > start) out.push_back(text.substr(start, i - start));
    }
}

bool plain_ascii_word(std::string_view word) {
    if (word.empty() || word.size() > 40) return false;
    return std::all_of(word.begin(), word.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
}

// A search box text made of the message's words, decorated the ways a person types them.
std::string query_from(const std::vector<std::string_view>& words, std::uint64_t h) {
    std::string q;
    const int terms = 1 + static_cast<int>(h % 3);
    h /= 3;
    for (int t = 0; t < terms && !words.empty(); ++t) {
        const std::string word(words[h % words.size()]);
        h = h * 6364136223846793005ull + 1442695040888963407ull;
        if (!q.empty()) q += ' ';
        switch ((h >> 33) % 9) {
        case 0: q += word; break;
        case 1: q += "from:" + word; break;
        case 2: q += "to:" + word; break;
        case 3: q += "subject:" + word; break;
        case 4: q += "\"" + word + " " + std::string(words[(h >> 40) % words.size()]) + "\""; break;
        case 5: q += word + "*"; break;
        case 6: q += word + " is:unread has:attachment"; break;
        case 7: q += word + " after:2001-01-01 before:2099-12-31"; break;
        default: q += "subject:\"" + word + "\""; break;
        }
    }
    return q;
}

SearchPage search_or_abort(Harness& h, const SearchQuery& query, std::size_t limit) {
    try {
        return h.store.search(h.account, query, 0, limit);
    } catch (const Error& e) {
        fuzz::fail("MessageStore::search threw", e);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Harness& h = harness();
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    const std::uint64_t hash = fnv1a(raw);
    ++h.inputs;

    // The parser and the HTML conversion, as the reading pane uses them. The HTML converter also
    // gets the raw bytes: it is fed untrusted text directly too (previews of broken mail).
    ParsedMessage m;
    try {
        m = parse_message(raw);
    } catch (const Error& e) {
        fuzz::fail("parse_message threw", e);
    }
    const std::string html_text = html_to_text(m.html_body);
    const std::string raw_text = html_to_text(raw);
    if (!html_text.empty() && html_text.back() == '\n') fuzz::fail("html_to_text ends with an empty line");
    if (!raw_text.empty() && raw_text.back() == '\n') fuzz::fail("html_to_text ends with an empty line");

    // Indexing, as a sync does it: the envelope from the header block, then the whole body.
    const std::int64_t uid = h.next_uid++;
    ServerMessage server;
    server.uid = uid;
    server.modseq = uid;
    server.flags = static_cast<int>(hash & 31);
    server.internal_date = 1700000000 + uid;
    server.size = static_cast<std::int64_t>(size);
    std::size_t header_size = raw.size();
    if (const auto crlf = raw.find("\r\n\r\n"); crlf != std::string_view::npos) header_size = crlf + 4;
    else if (const auto lf = raw.find("\n\n"); lf != std::string_view::npos) header_size = lf + 2;
    server.header_bytes = std::string(raw.substr(0, header_size));
    try {
        h.store.add_messages(h.folder, {server});
        if (!h.store.set_body(h.folder, uid, raw)) fuzz::fail("set_body did not find the message just added");
        // Every fourth input also replaces the body of the previous message: the index update path.
        if (h.inputs % 4 == 0 && uid > 1) h.store.set_body(h.folder, uid - 1, raw);
    } catch (const Error& e) {
        fuzz::fail("indexing threw", e);
    }

    // What the store gives back is what it was given, and what the parser made of it.
    const auto detail = h.store.message(h.folder, uid);
    if (!detail) fuzz::fail("the message just stored is not found");
    if (detail->text_body != m.text_body) fuzz::fail("the stored text differs from parse_message's");
    if (detail->summary.subject != m.subject) fuzz::fail("the stored subject differs from parse_message's");
    if (h.store.raw_message(h.folder, uid) != std::string(raw)) fuzz::fail("the stored bytes differ from the input");

    // A search made of the message's own words. parse_search_query may refuse it (BadInput: a
    // word with a quote in it); nothing else may fail.
    std::vector<std::string_view> words;
    split_words(m.subject, words, 16);
    split_words(m.text_body, words, 48);
    if (!m.from.empty()) words.push_back(m.from.front().address);
    if (!words.empty()) {
        const std::string text = query_from(words, hash);
        try {
            const SearchQuery query = parse_search_query(text);
            search_or_abort(h, query, 20);
        } catch (const Error& e) {
            if (e.category() != ErrorCategory::BadInput) fuzz::fail("parse_search_query threw", e);
        }
    }
    // A plain word of the subject finds the message.
    std::vector<std::string_view> subject_words;
    split_words(m.subject, subject_words, 16);
    for (const auto word : subject_words) {
        if (!plain_ascii_word(word)) continue;
        SearchQuery query;
        try {
            query = parse_search_query("subject:" + std::string(word));
        } catch (const Error& e) {
            fuzz::fail("parse_search_query refused a plain word", e);
        }
        const auto page = search_or_abort(h, query, 1000);
        if (std::none_of(page.hits.begin(), page.hits.end(), [&](const SearchHit& hit) { return hit.summary.uid == uid; }))
            fuzz::fail("a word of the subject does not find the message", word);
        break;
    }

    if (h.inputs % check_every == 1) h.profile.check_integrity();
    if (h.inputs % reset_every == 0) {
        h.profile.check_integrity();
        try {
            h.store.reset_folder(h.folder, ++h.uidvalidity);
        } catch (const Error& e) {
            fuzz::fail("reset_folder threw", e);
        }
        h.profile.check_integrity();
    }
    return 0;
}
