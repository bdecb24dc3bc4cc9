#include "tern/mail/html_to_text.hpp"

#include "mime_text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

namespace tern::mail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Latin-1 entity names, U+00A0 .. U+00FF in order.
constexpr std::array<std::string_view, 96> latin1_entities{
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",    "copy",
    "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn", "sup2",   "sup3",
    "acute",  "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12",
    "frac34", "iquest", "Agrave", "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil",
    "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave", "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde",
    "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",   "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",
    "Uuml",   "Yacute", "THORN",  "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",
    "aelig",  "ccedil", "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",
    "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave",
    "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

constexpr std::pair<std::string_view, char32_t> other_entities[] = {
    {"amp", '&'},        {"lt", '<'},         {"gt", '>'},         {"quot", '"'},       {"apos", '\''},
    {"OElig", 0x152},    {"oelig", 0x153},    {"Scaron", 0x160},   {"scaron", 0x161},   {"Yuml", 0x178},
    {"fnof", 0x192},     {"circ", 0x2C6},     {"tilde", 0x2DC},    {"ensp", 0x2002},    {"emsp", 0x2003},
    {"thinsp", 0x2009},  {"zwnj", 0x200C},    {"zwj", 0x200D},     {"lrm", 0x200E},     {"rlm", 0x200F},
    {"ndash", 0x2013},   {"mdash", 0x2014},   {"lsquo", 0x2018},   {"rsquo", 0x2019},   {"sbquo", 0x201A},
    {"ldquo", 0x201C},   {"rdquo", 0x201D},   {"bdquo", 0x201E},   {"dagger", 0x2020},  {"Dagger", 0x2021},
    {"bull", 0x2022},    {"hellip", 0x2026},  {"permil", 0x2030},  {"prime", 0x2032},   {"Prime", 0x2033},
    {"lsaquo", 0x2039},  {"rsaquo", 0x203A},  {"oline", 0x203E},   {"euro", 0x20AC},    {"trade", 0x2122},
    {"larr", 0x2190},    {"uarr", 0x2191},    {"rarr", 0x2192},    {"darr", 0x2193},    {"harr", 0x2194},
    {"minus", 0x2212},   {"infin", 0x221E},   {"ne", 0x2260},      {"le", 0x2264},      {"ge", 0x2265},
    {"hearts", 0x2665},  {"hyphen", 0x2010},  {"nbhy", 0x2011},    {"Tab", '\t'},       {"NewLine", '\n'},
};

// Entities that old HTML accepts without the final ';'.
constexpr std::string_view legacy_without_semicolon[] = {"amp", "lt", "gt", "quot", "nbsp", "copy", "reg"};

std::optional<char32_t> named_entity(std::string_view name) {
    for (std::size_t i = 0; i < latin1_entities.size(); ++i)
        if (latin1_entities[i] == name) return static_cast<char32_t>(0xA0 + i);
    for (const auto& [n, cp] : other_entities)
        if (n == name) return cp;
    return std::nullopt;
}

// What a numeric character reference means (HTML: C1 controls are read as Windows-1252).
char32_t numeric_reference(std::uint32_t value) {
    static constexpr std::array<char32_t, 32> c1{
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
    if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0xFFFD;
    if (value >= 0x80 && value < 0xA0) return c1[value - 0x80];
    return value;
}

// Builds the output: collapses whitespace, turns block boundaries into at most one blank line.
class TextWriter {
public:
    void space() {
        if (!out_.empty()) pending_space_ = true;
    }
    // Ends the line (once, however often called) or, with `blank_line`, the paragraph.
    void block(bool blank_line) { pending_newlines_ = std::max(pending_newlines_, blank_line ? 2 : 1); }
    // <br>: each one breaks a line, up to a blank line.
    void line_break() { pending_newlines_ = std::min(pending_newlines_ + 1, 2); }

    void visible(std::string_view bytes) {
        flush();
        out_.append(bytes);
    }
    void code_point(char32_t cp) {
        if (cp == 0xAD || cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x200E || cp == 0x200F ||
            cp == 0xFEFF)
            return;  // invisible
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == '\f') {
            space();
            return;
        }
        if (cp < 0x20 || cp == 0x7F) return;
        flush();
        mime::append_utf8(out_, cp);
    }
    // Text inside <pre>: kept as written.
    void preformatted(char c) {
        if (c == '\r') return;
        if (c == '\n') {
            strip_trailing_spaces();
            flush_newlines_only();
            out_ += '\n';
            return;
        }
        flush();
        out_ += c;
    }

    std::string finish() {
        strip_trailing_spaces();
        while (!out_.empty() && out_.back() == '\n') out_.pop_back();
        return std::move(out_);
    }

private:
    void strip_trailing_spaces() {
        while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\t')) out_.pop_back();
    }
    void flush_newlines_only() {
        if (pending_newlines_ > 0 && !out_.empty()) {
            strip_trailing_spaces();
            // Count the line breaks already written, so that blocks never stack up blank lines.
            int have = 0;
            for (auto it = out_.rbegin(); it != out_.rend() && *it == '\n' && have < 2; ++it) ++have;
            for (int i = have; i < pending_newlines_; ++i) out_ += '\n';
        }
        pending_newlines_ = 0;
        pending_space_ = false;
    }
    void flush() {
        if (pending_newlines_ > 0) {
            flush_newlines_only();
        } else if (pending_space_) {
            if (!out_.empty() && out_.back() != '\n') out_ += ' ';
            pending_space_ = false;
        }
    }

    std::string out_;
    bool pending_space_ = false;
    int pending_newlines_ = 0;
};

// Case-insensitive forward search over the lower-cased document that remembers its last answer:
// searches only ever move forward, so the total work stays linear even for a thousand
// unterminated <title> tags.
class Finder {
public:
    Finder(const std::string& lower, std::string_view needle) : lower_(lower), needle_(needle) {}
    std::size_t find(std::size_t from) {
        if (known_ && (cached_ == std::string::npos || cached_ >= from)) return cached_;
        cached_ = lower_.find(needle_, from);
        known_ = true;
        return cached_;
    }

private:
    const std::string& lower_;
    std::string_view needle_;
    std::size_t cached_ = std::string::npos;
    bool known_ = false;
};

enum class Effect { None, Line, Paragraph, Cell, ListItem, Break, Pre, Skip };

Effect effect_of(std::string_view tag) {
    static constexpr std::string_view paragraph[] = {"p",     "h1", "h2", "h3",  "h4",    "h5",     "h6",
                                                     "ul",    "ol", "dl", "hr",  "table", "figure", "blockquote"};
    static constexpr std::string_view line[] = {"div",  "tr",     "dt",      "dd",     "section", "article",
                                                "header", "footer", "nav",   "aside",  "main",    "address",
                                                "center", "form",   "fieldset", "caption", "option", "tbody",
                                                "thead",  "tfoot",  "details", "summary", "figcaption", "body"};
    if (tag == "br") return Effect::Break;
    if (tag == "li") return Effect::ListItem;
    if (tag == "td" || tag == "th") return Effect::Cell;
    if (tag == "pre" || tag == "listing" || tag == "plaintext" || tag == "xmp") return Effect::Pre;
    if (tag == "script" || tag == "style" || tag == "head" || tag == "title" || tag == "template")
        return Effect::Skip;
    for (auto t : paragraph)
        if (t == tag) return Effect::Paragraph;
    for (auto t : line)
        if (t == tag) return Effect::Line;
    return Effect::None;
}

class Converter {
public:
    explicit Converter(std::string_view html)
        : html_(html), lower_(lowered(html)), end_comment_(lower_, "-->"), end_script_(lower_, "</script"),
          end_style_(lower_, "</style"), end_head_(lower_, "</head"), body_open_(lower_, "<body"),
          end_title_(lower_, "</title"), end_template_(lower_, "</template") {}

    std::string run() {
        const std::size_t n = html_.size();
        std::size_t i = 0;
        while (i < n) {
            const char c = html_[i];
            if (drop_pre_newline_) {
                // A newline right after <pre> is not content (HTML: "in body" insertion mode).
                drop_pre_newline_ = false;
                if (c == '\n' || (c == '\r' && i + 1 < n && html_[i + 1] == '\n')) {
                    i += c == '\n' ? 1 : 2;
                    continue;
                }
            }
            if (c == '<') {
                i = markup(i);
            } else if (c == '&') {
                i = entity(i);
            } else if (pre_depth_ > 0) {
                writer_.preformatted(c);
                ++i;
            } else if (is_space(c)) {
                writer_.space();
                ++i;
            } else {
                // A run of ordinary text in one append.
                std::size_t j = i + 1;
                while (j < n && html_[j] != '<' && html_[j] != '&' && !is_space(html_[j]) &&
                       (static_cast<unsigned char>(html_[j]) >= 0x20 || html_[j] == '\t'))
                    ++j;
                if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F)
                    writer_.visible(html_.substr(i, j - i));
                i = j;
            }
        }
        return writer_.finish();
    }

private:
    static std::string lowered(std::string_view text) {
        std::string out(text);
        for (auto& ch : out) ch = lower(ch);
        return out;
    }

    // Handles the markup starting at html_[i] == '<'; returns where the text continues.
    std::size_t markup(std::size_t i) {
        const std::size_t n = html_.size();
        if (i + 1 >= n) {
            writer_.visible("<");
            return n;
        }
        const char next = html_[i + 1];
        if (next == '!') {
            if (html_.compare(i, 4, "<!--") == 0) {
                const auto close = end_comment_.find(i + 4);
                return close == std::string::npos ? n : close + 3;
            }
            return after_gt(i + 2);  // <!DOCTYPE ...>, <![CDATA[...]]> (its text is dropped)
        }
        if (next == '?') return after_gt(i + 2);
        const bool closing = next == '/';
        const std::size_t name_start = i + (closing ? 2 : 1);
        if (name_start >= n || !is_alpha(html_[name_start])) {
            if (closing) return after_gt(name_start);  // "</ >" and the like: ignored
            writer_.visible("<");
            return i + 1;
        }
        std::size_t j = name_start;
        while (j < n && (is_alpha(html_[j]) || is_digit(html_[j]) || html_[j] == '-' || html_[j] == ':')) ++j;
        const std::string_view tag = std::string_view(lower_).substr(name_start, std::min<std::size_t>(j - name_start, 16));
        const std::size_t after = end_of_tag(j);
        apply(tag, closing, after);
        return skip_to_;  // apply() sets where to continue (after the tag, or after skipped content)
    }

    // The index after the '>' that ends a tag whose attributes start at `i`; quoted attribute
    // values may contain '>'. The end of input when the tag never ends.
    std::size_t end_of_tag(std::size_t i) const {
        const std::size_t n = html_.size();
        char last = ' ';
        while (i < n) {
            const char c = html_[i];
            if (c == '>') return i + 1;
            if ((c == '"' || c == '\'') && last == '=') {
                const void* close = std::memchr(html_.data() + i + 1, c, n - i - 1);
                if (!close) return n;
                i = static_cast<std::size_t>(static_cast<const char*>(close) - html_.data()) + 1;
                last = c;
                continue;
            }
            if (!is_space(c)) last = c;
            ++i;
        }
        return n;
    }

    std::size_t after_gt(std::size_t i) const {
        const void* gt = i < html_.size() ? std::memchr(html_.data() + i, '>', html_.size() - i) : nullptr;
        return gt ? static_cast<std::size_t>(static_cast<const char*>(gt) - html_.data()) + 1 : html_.size();
    }

    void apply(std::string_view tag, bool closing, std::size_t after) {
        skip_to_ = after;
        switch (effect_of(tag)) {
        case Effect::None: break;
        case Effect::Line: writer_.block(false); break;
        case Effect::Paragraph: writer_.block(true); break;
        case Effect::Cell:
            if (closing) writer_.space();
            break;
        case Effect::Break: writer_.line_break(); break;
        case Effect::ListItem:
            writer_.block(false);
            if (!closing) writer_.visible("- ");
            break;
        case Effect::Pre:
            writer_.block(true);
            pre_depth_ = closing ? std::max(0, pre_depth_ - 1) : std::min(pre_depth_ + 1, 1000);
            drop_pre_newline_ = !closing;
            break;
        case Effect::Skip:
            if (!closing) skip_content(tag, after);
            break;
        }
    }

    // Drops the content of <script>, <style>, <template>, <title> and <head>. Script and style
    // run to the end of the input when never closed, as in a browser; the others are only
    // skipped when they do end, so that a stray <head> or <title> cannot hide a whole mail.
    void skip_content(std::string_view tag, std::size_t after) {
        const std::size_t n = html_.size();
        if (tag == "script" || tag == "style") {
            const auto close = (tag == "script" ? end_script_ : end_style_).find(after);
            skip_to_ = close == std::string::npos ? n : after_gt(close);
        } else if (tag == "title" || tag == "template") {
            const auto close = (tag == "title" ? end_title_ : end_template_).find(after);
            if (close != std::string::npos) skip_to_ = after_gt(close);
        } else {  // head ends at </head> or at <body>
            const auto close = end_head_.find(after);
            const auto body = body_open_.find(after);
            if (close != std::string::npos && (body == std::string::npos || close < body))
                skip_to_ = after_gt(close);
            else if (body != std::string::npos)
                skip_to_ = body;
        }
    }

    // Decodes the character reference at html_[i] == '&'; returns where the text continues.
    std::size_t entity(std::size_t i) {
        const std::size_t n = html_.size();
        std::size_t j = i + 1;
        if (j < n && html_[j] == '#') {
            ++j;
            const bool hex = j < n && (html_[j] == 'x' || html_[j] == 'X');
            if (hex) ++j;
            const std::size_t digits_start = j;
            std::uint32_t value = 0;
            while (j < n && j - digits_start < 8 &&
                   (is_digit(html_[j]) || (hex && ((lower(html_[j]) >= 'a' && lower(html_[j]) <= 'f'))))) {
                const char d = lower(html_[j]);
                value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(is_digit(d) ? d - '0' : d - 'a' + 10);
                ++j;
            }
            if (j == digits_start) return literal_ampersand(i);
            // Longer digit runs than 8 are out of range anyway: swallow them.
            while (j < n && (is_digit(html_[j]) || (hex && lower(html_[j]) >= 'a' && lower(html_[j]) <= 'f'))) {
                value = 0x110000;
                ++j;
            }
            if (j < n && html_[j] == ';') ++j;
            emit_code_point(numeric_reference(value));
            return j;
        }
        while (j < n && j - i <= 10 && (is_alpha(html_[j]) || is_digit(html_[j]))) ++j;
        const std::string_view name = html_.substr(i + 1, j - i - 1);
        if (name.empty()) return literal_ampersand(i);
        const bool semicolon = j < n && html_[j] == ';';
        const auto cp = named_entity(name);
        if (!cp) return literal_ampersand(i);
        if (!semicolon &&
            std::find(std::begin(legacy_without_semicolon), std::end(legacy_without_semicolon), name) ==
                std::end(legacy_without_semicolon))
            return literal_ampersand(i);
        emit_code_point(*cp);
        return semicolon ? j + 1 : j;
    }

    std::size_t literal_ampersand(std::size_t i) {
        emit_code_point('&');
        return i + 1;
    }

    void emit_code_point(char32_t cp) {
        if (pre_depth_ > 0 && (cp == ' ' || cp == '\n' || cp == '\t' || cp == 0xA0)) {
            writer_.preformatted(cp == 0xA0 ? ' ' : static_cast<char>(cp));
            return;
        }
        writer_.code_point(cp);
    }

    std::string_view html_;
    std::string lower_;
    Finder end_comment_, end_script_, end_style_, end_head_, body_open_, end_title_, end_template_;
    TextWriter writer_;
    std::size_t skip_to_ = 0;
    int pre_depth_ = 0;
    bool drop_pre_newline_ = false;
};

}  // namespace

std::string html_to_text(std::string_view html) { return Converter(html).run(); }

}  // namespace tern::mail
