// The search box language and its translation to SQL: an FTS5 MATCH expression for the words and
// plain conditions for the rest. User text only ever reaches FTS5 as quoted strings and SQLite as
// bound parameters.
//
//   word "exact phrase" from:alice to:bob@example.org subject:"two words" has:attachment
//   is:unread is:read is:flagged after:2024-01-01 before:2024-02-01 invoi*
//
// Terms are ANDed. Keys are case-insensitive; an unknown key ("http://x") is plain text. from:
// searches the sender's name and address, to: the To and Cc recipients. Dates are whole UTC days:
// after:D means on or after D, before:D means before D.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::mail {

struct SearchQuery {
    enum class Field { Any, From, To, Subject };
    struct Term {
        Field field = Field::Any;
        std::string text;     // as typed (unquoted); a phrase when it holds several words
        bool prefix = false;  // typed with a trailing '*': matches words starting with text
    };

    std::vector<Term> terms;
    bool has_attachment = false;
    bool unread = false;
    bool read = false;
    bool flagged = false;
    std::optional<std::int64_t> after;   // unix seconds at 00:00 UTC of the day
    std::optional<std::int64_t> before;  // unix seconds at 00:00 UTC of the day

    bool empty() const;
};

// Throws tern::Error (BadInput) naming the bad part: an unterminated quote, a key without a
// value, a date that is not YYYY-MM-DD, an unknown has: or is: value.
SearchQuery parse_search_query(std::string_view text);

struct CompiledSearch {
    // FTS5 MATCH expression over the columns subject, sender, recipients, body; empty when the
    // query has no words. A query whose words hold nothing searchable matches nothing.
    std::string match;
    // The same phrases split by the index that can answer them, each in the order of `match`:
    // the from:/to:/subject: terms (with their column filters) for message_header_index, whose
    // columns are subject, sender, recipients; the free words for message_index. `match` is these
    // ANDed; both are empty when it is empty or "".
    std::vector<std::string> header_phrases;
    std::vector<std::string> word_phrases;
    // " AND ..." conditions over the messages table aliased `m`, with ?N parameters numbered
    // from first_parameter on; bind `parameters` to them in order.
    std::string conditions;
    std::vector<std::int64_t> parameters;
};

CompiledSearch compile_search(const SearchQuery& query, int first_parameter);

// An FTS5 string literal: the text in double quotes, inner quotes doubled.
std::string fts5_quote(std::string_view text);

}  // namespace tern::mail
