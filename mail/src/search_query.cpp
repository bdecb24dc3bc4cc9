#include "tern/mail/search_query.hpp"

#include "mime_text.hpp"

#include "tern/core/error.hpp"

namespace tern::mail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

Error bad(const std::string& message, std::string_view part) {
    return Error(ErrorCategory::BadInput, message, "search query part: " + std::string(part));
}

std::string without_quotes(std::string_view text) {
    std::string out;
    for (char c : text)
        if (c != '"') out += c;
    return out;
}

std::int64_t parse_day(std::string_view key, std::string_view value, std::string_view part) {
    const auto fail = [&] {
        return bad(std::string(key) + ": needs a date written YYYY-MM-DD, for example " + std::string(key) +
                       ":2024-03-31; \"" + std::string(value) + "\" is not one.",
                   part);
    };
    if (value.size() != 10 || value[4] != '-' || value[7] != '-') throw fail();
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (!is_digit(value[i])) throw fail();
    const int year = std::stoi(std::string(value.substr(0, 4)));
    const int month = std::stoi(std::string(value.substr(5, 2)));
    const int day = std::stoi(std::string(value.substr(8, 2)));
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1970 || month < 1 || month > 12 || day < 1 ||
        day > month_days[month - 1] + (month == 2 && leap ? 1 : 0))
        throw fail();
    return mime::days_from_civil(year, month, day) * 86400;
}

// What a unicode61 tokenizer can find words in: ASCII letters and digits, and anything
// non-ASCII (most of which is letters).
bool has_word_characters(std::string_view text) {
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80 || is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    }
    return false;
}

void add_term(SearchQuery& query, SearchQuery::Field field, std::string_view raw, bool quoted) {
    SearchQuery::Term term;
    term.field = field;
    term.text = without_quotes(raw);
    if (!quoted && term.text.size() > 1 && term.text.back() == '*') {
        term.prefix = true;
        term.text.pop_back();
    }
    if (!term.text.empty()) query.terms.push_back(std::move(term));
}

void apply_key(SearchQuery& query, const std::string& key, std::string_view value, std::string_view part) {
    const bool quoted = !value.empty() && value.front() == '"';
    if (without_quotes(value).empty())
        throw bad(key + ": needs a value, for example " +
                      (key == "is" ? "is:unread" : key == "has" ? "has:attachment"
                                   : key == "before" || key == "after" ? key + ":2024-03-31"
                                                                       : key + ":alice") + ".",
                  part);
    if (key == "from") return add_term(query, SearchQuery::Field::From, value, quoted);
    if (key == "to") return add_term(query, SearchQuery::Field::To, value, quoted);
    if (key == "subject") return add_term(query, SearchQuery::Field::Subject, value, quoted);
    const std::string v = lower(without_quotes(value));
    if (key == "has") {
        if (v != "attachment" && v != "attachments")
            throw bad("has:" + std::string(value) + " is not known; write has:attachment.", part);
        query.has_attachment = true;
    } else if (key == "is") {
        if (v == "unread") query.unread = true;
        else if (v == "read") query.read = true;
        else if (v == "flagged" || v == "starred") query.flagged = true;
        else throw bad("is:" + std::string(value) + " is not known; write is:unread, is:read or is:flagged.", part);
    } else if (key == "before") {
        query.before = parse_day(key, v, part);
    } else if (key == "after") {
        query.after = parse_day(key, v, part);
    }
}

bool is_key(const std::string& key) {
    for (const char* k : {"from", "to", "subject", "has", "is", "before", "after"})
        if (key == k) return true;
    return false;
}

}  // namespace

bool SearchQuery::empty() const {
    return terms.empty() && !has_attachment && !unread && !read && !flagged && !after && !before;
}

SearchQuery parse_search_query(std::string_view text) {
    SearchQuery query;
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        while (i < n && is_space(text[i])) ++i;
        if (i >= n) break;
        // A part runs to the next blank outside quotes.
        const std::size_t start = i;
        bool in_quote = false;
        while (i < n && (in_quote || !is_space(text[i]))) {
            if (text[i] == '"') in_quote = !in_quote;
            ++i;
        }
        const std::string_view part = text.substr(start, i - start);
        if (in_quote)
            throw bad("The search has a quote that is not closed: " + std::string(part) + " (add the closing \").", part);

        if (part.front() == '"') {
            add_term(query, SearchQuery::Field::Any, part, true);
            continue;
        }
        const auto colon = part.find(':');
        if (colon != std::string_view::npos && colon > 0) {
            const std::string key = lower(part.substr(0, colon));
            if (is_key(key)) {
                apply_key(query, key, part.substr(colon + 1), part);
                continue;
            }
        }
        add_term(query, SearchQuery::Field::Any, part, false);
    }
    return query;
}

std::string fts5_quote(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';  // control characters are no words; they must not reach the FTS5 parser
            continue;
        }
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

CompiledSearch compile_search(const SearchQuery& query, int first_parameter) {
    CompiledSearch compiled;
    for (const auto& term : query.terms) {
        if (!has_word_characters(term.text)) continue;
        std::string phrase = fts5_quote(term.text);
        if (term.prefix) phrase += '*';
        switch (term.field) {
        case SearchQuery::Field::Any: break;
        case SearchQuery::Field::From: phrase = "sender : " + phrase; break;
        case SearchQuery::Field::To: phrase = "recipients : " + phrase; break;
        case SearchQuery::Field::Subject: phrase = "subject : " + phrase; break;
        }
        if (!compiled.match.empty()) compiled.match += " AND ";
        compiled.match += phrase;
        (term.field == SearchQuery::Field::Any ? compiled.word_phrases : compiled.header_phrases).push_back(phrase);
    }
    // Words with nothing searchable in them ("!!!") find nothing, rather than everything.
    if (compiled.match.empty() && !query.terms.empty()) compiled.match = "\"\"";

    int parameter = first_parameter;
    if (query.has_attachment) compiled.conditions += " AND m.has_attachments <> 0";
    if (query.unread) compiled.conditions += " AND (m.flags & 1) = 0";
    if (query.read) compiled.conditions += " AND (m.flags & 1) <> 0";
    if (query.flagged) compiled.conditions += " AND (m.flags & 4) <> 0";
    if (query.after) {
        compiled.conditions += " AND m.date >= ?" + std::to_string(parameter++);
        compiled.parameters.push_back(*query.after);
    }
    if (query.before) {
        compiled.conditions += " AND m.date < ?" + std::to_string(parameter++);
        compiled.parameters.push_back(*query.before);
    }
    return compiled;
}

}  // namespace tern::mail
