#include "mime_header.hpp"

#include "mime_text.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace tern::mail::mime {
namespace {

// Enough for any real message; a flood of fields or addresses is cut here.
constexpr std::size_t max_fields = 2000;
constexpr std::size_t max_parameters = 100;
constexpr std::size_t max_sections = 500;
constexpr std::size_t max_addresses = 2000;
constexpr std::size_t max_message_ids = 500;

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Skips a comment starting at text[i] == '(' (nested, with quoted pairs); returns the index after
// it and appends its content to `content` if given.
std::size_t skip_comment(std::string_view text, std::size_t i, std::string* content) {
    int depth = 0;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            if (content) *content += text[i + 1];
            ++i;
        } else if (c == '(') {
            if (depth++ > 0 && content) *content += c;
        } else if (c == ')') {
            if (--depth == 0) return i + 1;
            if (content) *content += c;
        } else if (content) {
            *content += c;
        }
    }
    return i;
}

// Reads a quoted string starting at text[i] == '"'; returns the index after the closing quote.
std::size_t read_quoted(std::string_view text, std::size_t i, std::string& out) {
    for (++i; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            out += text[++i];
        } else if (c == '"') {
            return i + 1;
        } else {
            out += c;
        }
    }
    return i;
}

std::string without_comments(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '(') {
            i = skip_comment(text, i, nullptr);
        } else {
            out += text[i++];
        }
    }
    return out;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    auto hex = [](char c) {
        if (is_digit(c)) return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%') {
            const int hi = i + 1 < text.size() ? hex(text[i + 1]) : -1;
            const int lo = i + 2 < text.size() ? hex(text[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

struct Section {
    std::string name;  // without the RFC 2231 '*' and section number
    int index = -1;    // -1 when not a multi-section parameter
    bool encoded = false;
    std::string value;
};

// Joins RFC 2231 sections of one parameter (in section order) and decodes them.
std::string join_sections(std::vector<const Section*> sections) {
    std::stable_sort(sections.begin(), sections.end(),
                     [](const Section* a, const Section* b) { return a->index < b->index; });
    std::string charset, bytes;
    bool first_encoded = true;
    bool any_encoded = false;
    for (const auto* s : sections) {
        if (!s->encoded) {
            bytes += s->value;
            continue;
        }
        any_encoded = true;
        std::string_view v = s->value;
        if (first_encoded) {
            // charset'language'value
            const auto q1 = v.find('\'');
            const auto q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
            if (q2 != std::string_view::npos) {
                charset = std::string(v.substr(0, q1));
                v.remove_prefix(q2 + 1);
            }
            first_encoded = false;
        }
        bytes += percent_decode(v);
    }
    if (!any_encoded) return decode_header_text(bytes);
    return to_utf8(bytes, charset);
}

Section parse_parameter_name(std::string name, std::string value) {
    Section s;
    if (!name.empty() && name.back() == '*') {
        s.encoded = true;
        name.pop_back();
    }
    if (const auto star = name.rfind('*'); star != std::string::npos) {
        const std::string_view digits = std::string_view(name).substr(star + 1);
        if (!digits.empty() && digits.size() <= 4 &&
            std::all_of(digits.begin(), digits.end(), [](char c) { return is_digit(c); })) {
            s.index = std::stoi(std::string(digits));
            name.resize(star);
        }
    }
    s.name = std::move(name);
    s.value = std::move(value);
    return s;
}

// The end of the RFC 2047 encoded word "=?charset?B|Q?text?=" starting at text[i], or 0 when
// none starts there. The text cannot hold '?' or blanks, so scans never overlap much.
std::size_t encoded_word_end(std::string_view text, std::size_t i) {
    if (text.compare(i, 2, "=?") != 0) return 0;
    std::size_t j = i + 2;
    while (j < text.size() && text[j] != '?' && !is_space(text[j])) ++j;
    if (j == i + 2 || j + 2 >= text.size() || text[j] != '?') return 0;
    const char encoding = text[j + 1];
    if (encoding != 'b' && encoding != 'B' && encoding != 'q' && encoding != 'Q') return 0;
    if (text[j + 2] != '?') return 0;
    j += 3;
    while (j < text.size() && text[j] != '?' && !is_space(text[j])) ++j;
    if (j + 1 >= text.size() || text[j] != '?' || text[j + 1] != '=') return 0;
    return j + 2;
}

// One address: `phrase` holds the words outside angle brackets, `angle` what was inside them.
struct AddressBuilder {
    std::string phrase, angle, comment;
    bool had_angle = false;

    void add_word_char(char c) { phrase += c; }
    void add_space() {
        if (!phrase.empty() && phrase.back() != ' ') phrase += ' ';
    }
    bool empty() const { return phrase.empty() && angle.empty() && comment.empty() && !had_angle; }

    std::optional<Mailbox> finish() {
        Mailbox box;
        if (had_angle) {
            std::string_view addr = trim(angle);
            if (auto colon = addr.rfind(':'); colon != std::string_view::npos) addr.remove_prefix(colon + 1);  // route
            box.address = utf8_or_cp1252(trim(addr));
            box.name = decode_header_text(phrase);
            if (box.name.empty()) box.name = decode_header_text(comment);
        } else {
            // "addr (Name)", or a bare address; "Name addr@host" from broken mailers.
            std::string_view text = trim(phrase);
            const auto last_space = text.rfind(' ');
            if (last_space != std::string_view::npos && text.substr(last_space + 1).find('@') != std::string_view::npos &&
                text.substr(0, last_space).find('@') == std::string_view::npos) {
                box.address = utf8_or_cp1252(text.substr(last_space + 1));
                box.name = decode_header_text(text.substr(0, last_space));
            } else {
                std::string compact;
                for (char c : text)
                    if (c != ' ') compact += c;
                box.address = utf8_or_cp1252(compact);
                box.name = decode_header_text(comment);
            }
        }
        if (box.name == box.address) box.name.clear();
        *this = AddressBuilder{};
        if (box.address.empty() && box.name.empty()) return std::nullopt;
        return box;
    }
};

// Date helpers.
int month_from_name(std::string_view word) {
    static constexpr std::array<std::string_view, 12> names{"jan", "feb", "mar", "apr", "may", "jun",
                                                            "jul", "aug", "sep", "oct", "nov", "dec"};
    if (word.size() < 3) return 0;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (iequals(word.substr(0, 3), names[i])) return static_cast<int>(i) + 1;
    return 0;
}

// Minutes east of UTC for the obsolete zone names of RFC 5322 §4.3; nullopt if not a zone.
std::optional<int> zone_from_name(std::string_view word) {
    static constexpr std::pair<std::string_view, int> zones[] = {
        {"ut", 0},         {"utc", 0},        {"gmt", 0},        {"z", 0},          {"est", -5 * 60},
        {"edt", -4 * 60},  {"cst", -6 * 60},  {"cdt", -5 * 60},  {"mst", -7 * 60},  {"mdt", -6 * 60},
        {"pst", -8 * 60},  {"pdt", -7 * 60}};
    for (const auto& [name, minutes] : zones)
        if (iequals(word, name)) return minutes;
    return std::nullopt;
}

// Up to `max_digits` digits as a number; nullopt if `text` is not all digits or too long.
std::optional<int> small_number(std::string_view text, std::size_t max_digits) {
    if (text.empty() || text.size() > max_digits) return std::nullopt;
    int n = 0;
    for (char c : text) {
        if (!is_digit(c)) return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

}  // namespace

std::optional<std::string> Entity::field(std::string_view name) const {
    for (const auto& f : fields)
        if (f.name == name) return unfold(f.raw_value);
    return std::nullopt;
}

Entity split_entity(std::string_view bytes) {
    Entity entity;
    std::size_t pos = 0;
    const std::size_t n = bytes.size();
    while (pos < n) {
        const char* nl = static_cast<const char*>(std::memchr(bytes.data() + pos, '\n', n - pos));
        const std::size_t eol = nl ? static_cast<std::size_t>(nl - bytes.data()) : n;
        const std::size_t next = nl ? eol + 1 : n;
        std::string_view line = bytes.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) {
            entity.body = bytes.substr(next);
            return entity;
        }
        if (is_blank(line.front())) {
            if (!entity.fields.empty()) {
                auto& last = entity.fields.back();
                // Extend the value up to the end of this line (the views are contiguous).
                last.raw_value = std::string_view(last.raw_value.data(),
                                                  static_cast<std::size_t>(line.data() + line.size() - last.raw_value.data()));
            }
        } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
            std::string_view name = line.substr(0, colon);
            while (!name.empty() && is_blank(name.back())) name.remove_suffix(1);
            const bool valid = !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
                return static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7F;
            });
            if (valid && entity.fields.size() < max_fields)
                entity.fields.push_back({ascii_lower(name), line.substr(colon + 1)});
        }
        pos = next;
    }
    return entity;  // headers only
}

std::string unfold(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (char c : raw)
        if (c != '\r' && c != '\n') out += c;
    return std::string(trim(out));
}

const std::string* Parameters::find(std::string_view name) const {
    for (const auto& [key, value] : values)
        if (key == name) return &value;
    return nullptr;
}

std::pair<std::string, Parameters> parse_parameterized(std::string_view value) {
    std::size_t i = 0;
    const std::size_t n = value.size();
    std::string head;
    while (i < n && value[i] != ';') {
        if (value[i] == '(') {
            i = skip_comment(value, i, nullptr);
        } else {
            if (!is_space(value[i])) head += value[i];
            ++i;
        }
    }
    std::vector<Section> sections;
    while (i < n && sections.size() < max_sections) {
        while (i < n && (is_space(value[i]) || value[i] == ';')) ++i;
        const std::size_t name_start = i;
        while (i < n && value[i] != '=' && value[i] != ';') ++i;
        if (i >= n || value[i] == ';') continue;  // a parameter without '=': skipped
        std::string name = ascii_lower(trim(value.substr(name_start, i - name_start)));
        ++i;  // '='
        while (i < n && is_space(value[i])) ++i;
        std::string v;
        if (i < n && value[i] == '"') {
            i = read_quoted(value, i, v);
            while (i < n && value[i] != ';') ++i;  // junk after the closing quote
        } else {
            const std::size_t start = i;
            while (i < n && value[i] != ';') ++i;
            v = std::string(trim(without_comments(value.substr(start, i - start))));
        }
        if (!name.empty()) sections.push_back(parse_parameter_name(std::move(name), std::move(v)));
    }

    Parameters params;
    std::vector<bool> used(sections.size(), false);
    for (std::size_t s = 0; s < sections.size() && params.values.size() < max_parameters; ++s) {
        if (used[s]) continue;
        const auto& name = sections[s].name;
        // RFC 2231 form wins over a plain parameter of the same name (mailers send both).
        std::vector<const Section*> extended;
        const Section* plain = nullptr;
        for (std::size_t t = s; t < sections.size(); ++t) {
            if (used[t] || sections[t].name != name) continue;
            used[t] = true;
            if (sections[t].encoded || sections[t].index >= 0)
                extended.push_back(&sections[t]);
            else if (!plain)
                plain = &sections[t];
        }
        params.values.emplace_back(name, extended.empty() ? decode_header_text(plain->value) : join_sections(extended));
    }
    return {ascii_lower(head), std::move(params)};
}

std::vector<Mailbox> parse_address_list(std::string_view value) {
    std::vector<Mailbox> out;
    AddressBuilder current;
    bool in_angle = false;
    auto finish = [&] {
        if (out.size() >= max_addresses) {
            current = AddressBuilder{};
            return;
        }
        if (auto box = current.finish()) out.push_back(std::move(*box));
    };
    for (std::size_t i = 0; i < value.size();) {
        const char c = value[i];
        if (c == '(') {
            std::string comment;
            i = skip_comment(value, i, &comment);
            if (!in_angle) current.comment = comment;
            continue;
        }
        if (in_angle) {
            if (c == '>') {
                in_angle = false;
            } else if (c == '"') {
                std::string quoted;
                i = read_quoted(value, i, quoted);
                current.angle += quoted;
                continue;
            } else if (!is_space(c)) {
                current.angle += c;
            }
            ++i;
            continue;
        }
        if (const auto end = encoded_word_end(value, i)) {
            // An encoded word is one unit: Q-encoded names often hold a literal ',' or ':'.
            for (std::size_t k = i; k < end; ++k) current.add_word_char(value[k]);
            i = end;
            continue;
        }
        switch (c) {
        case '"': {
            std::string quoted;
            i = read_quoted(value, i, quoted);
            for (char q : quoted) current.add_word_char(q);
            continue;
        }
        case '<':
            in_angle = true;
            current.had_angle = true;
            current.angle.clear();
            break;
        case ',':
        case ';': finish(); break;
        case ':':
            // A group's name ("Team: a@x, b@y;"): the members are what counts.
            if (!current.had_angle) current = AddressBuilder{};
            break;
        default:
            if (is_space(c))
                current.add_space();
            else
                current.add_word_char(c);
        }
        ++i;
    }
    finish();
    return out;
}

std::vector<std::string> parse_message_ids(std::string_view value) {
    std::vector<std::string> ids;
    const std::string text = without_comments(value);
    std::string_view v = text;
    if (v.find('<') == std::string_view::npos) {
        // No brackets: whitespace-separated tokens.
        std::size_t i = 0;
        while (i < v.size() && ids.size() < max_message_ids) {
            while (i < v.size() && is_space(v[i])) ++i;
            const std::size_t start = i;
            while (i < v.size() && !is_space(v[i])) ++i;
            if (i > start) ids.push_back(utf8_or_cp1252(v.substr(start, i - start)));
        }
        return ids;
    }
    std::size_t i = 0;
    while (ids.size() < max_message_ids) {
        const auto open = v.find('<', i);
        if (open == std::string_view::npos) break;
        const auto close = v.find('>', open + 1);
        if (close == std::string_view::npos) break;
        std::string id;
        for (char c : v.substr(open + 1, close - open - 1))
            if (!is_space(c)) id += c;
        if (!id.empty()) ids.push_back(utf8_or_cp1252(id));
        i = close + 1;
    }
    return ids;
}

namespace {

// The fields of a date as its tokens are read, in whatever order a mailer wrote them.
struct DateParts {
    int day = 0, month = 0, year = -1, hour = 0, minute = 0, second = 0, zone = 0;
    bool have_time = false;

    void take(std::string_view token) {
        if (token.find(':') != std::string_view::npos) {
            take_time(token);
        } else if ((token[0] == '+' || token[0] == '-') && token.size() == 5) {
            if (const auto hhmm = small_number(token.substr(1), 4)) {
                const int minutes = (*hhmm / 100) * 60 + *hhmm % 100;
                zone = token[0] == '-' ? -minutes : minutes;
            }
        } else if (is_alpha(token[0])) {
            if (const auto m = month_from_name(token); m && month == 0) month = m;
            else if (const auto z = zone_from_name(token)) zone = *z;
        } else if (is_digit(token[0]) && token.find('-') != std::string_view::npos) {
            take_dashed(token);
        } else if (const auto number = small_number(token, 4)) {
            take_number(token.size(), *number);
        }
    }

    // hh:mm[:ss]
    void take_time(std::string_view token) {
        if (have_time) return;
        int parts[3] = {0, 0, 0};
        int count = 0;
        for (std::size_t p = 0; count < 3;) {
            const auto colon = token.find(':', p);
            const auto number = small_number(token.substr(p, colon == std::string_view::npos ? colon : colon - p), 2);
            if (!number) return;
            parts[count++] = *number;
            if (colon == std::string_view::npos) break;
            p = colon + 1;
        }
        if (count < 2) return;
        hour = parts[0];
        minute = parts[1];
        second = parts[2];
        have_time = true;
    }

    // dd-Mon-yyyy, as IMAP writes dates.
    void take_dashed(std::string_view token) {
        const auto d1 = token.find('-');
        const auto d2 = token.find('-', d1 + 1);
        if (d2 == std::string_view::npos) return;
        const auto d = small_number(token.substr(0, d1), 2);
        const auto m = month_from_name(token.substr(d1 + 1, d2 - d1 - 1));
        const auto y = small_number(token.substr(d2 + 1), 4);
        if (!d || !m || !y) return;
        day = *d;
        month = m;
        year = *y;
    }

    void take_number(std::size_t digits, int number) {
        if (day == 0 && digits <= 2 && (month == 0 || year < 0)) {
            day = number;  // "2 Jan 2024", or "Jan 2 2024"
        } else if (year < 0) {
            year = digits == 2 ? (number < 50 ? 2000 + number : 1900 + number) : digits == 3 ? 1900 + number : number;
        }
    }

    std::int64_t unix_seconds() const {
        static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (year < 1970 || year > 9999 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60)
            return 0;
        const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        if (day < 1 || day > month_days[month - 1] + (month == 2 && leap ? 1 : 0)) return 0;
        const std::int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
                                     static_cast<std::int64_t>(zone) * 60;
        return seconds > 0 ? seconds : 0;
    }
};

}  // namespace

std::int64_t parse_date(std::string_view value) {
    const std::string text = without_comments(value);
    DateParts parts;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (is_space(text[i]) || text[i] == ',')) ++i;
        const std::size_t start = i;
        while (i < text.size() && !is_space(text[i]) && text[i] != ',') ++i;
        if (i > start) parts.take(std::string_view(text).substr(start, i - start));
    }
    return parts.unix_seconds();
}

}  // namespace tern::mail::mime
