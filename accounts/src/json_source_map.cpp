#include "json_source_map.hpp"

#include "tern/core/text.hpp"

#include <vector>

namespace tern::accounts {
namespace {

// An open object or array. `pointer` is empty when the container lies deeper than the map records.
struct Frame {
    bool object = false;
    bool recorded = false;
    std::size_t members = 0;
    std::string pointer;
};

// One pass over the text, without recursion (nlohmann accepts any nesting depth, and so must this).
class Scanner {
public:
    Scanner(std::string_view text, std::size_t max_depth, std::unordered_map<std::string, TextPosition>& starts)
        : text_(text), max_depth_(max_depth), starts_(starts) {}

    bool run() {
        skip_bom();
        std::string pointer;  // where the next value belongs
        bool recorded = true;
        for (;;) {
            skip_space();
            if (at_end()) return false;
            if (recorded) starts_[pointer] = here();
            const char c = text_[pos_];
            if (c == '{' || c == '[') {
                ++pos_;
                stack_.push_back({c == '{', recorded, 0, recorded ? pointer : std::string()});
                skip_space();
                if (at_end() || text_[pos_] != (c == '{' ? '}' : ']')) {
                    if (!next_member(pointer, recorded)) return false;
                    continue;  // its first member is the next value
                }
                ++pos_;
                stack_.pop_back();
            } else if (!(c == '"' ? string(nullptr) : scalar())) {
                return false;
            }
            // After a value: close what ends here, or move on to the next member.
            for (;;) {
                skip_space();
                if (stack_.empty()) return at_end();
                if (at_end()) return false;
                const char d = text_[pos_++];
                if (d == (stack_.back().object ? '}' : ']')) {
                    stack_.pop_back();
                    continue;
                }
                if (d != ',' || !next_member(pointer, recorded)) return false;
                break;
            }
        }
    }

private:
    bool at_end() const { return pos_ >= text_.size(); }

    // A UTF-8 byte order mark, which nlohmann skips too (it still counts in columns).
    void skip_bom() {
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    }

    void skip_space() {
        while (!at_end()) {
            const char c = text_[pos_];
            if (c == '\n') {
                ++line_;
                line_start_ = pos_ + 1;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                return;
            }
            ++pos_;
        }
    }

    TextPosition here() const { return {pos_, line_, pos_ - line_start_ + 1}; }

    // Reads the key of the next member of the innermost container and sets `pointer` to it.
    bool next_member(std::string& pointer, bool& recorded) {
        Frame& frame = stack_.back();
        std::string key;
        if (frame.object) {
            skip_space();
            if (at_end() || text_[pos_] != '"' || !string(frame.recorded ? &key : nullptr)) return false;
            skip_space();
            if (at_end() || text_[pos_] != ':') return false;
            ++pos_;
        } else {
            key = std::to_string(frame.members);
        }
        ++frame.members;
        recorded = frame.recorded && stack_.size() <= max_depth_;
        pointer = recorded ? frame.pointer + "/" + pointer_token(key) : std::string();
        return true;
    }

    // A string starting at the opening quote; its decoded text goes to `out` if given.
    bool string(std::string* out) {
        ++pos_;
        while (!at_end()) {
            const char c = text_[pos_++];
            if (c == '"') return true;
            if (c == '\n') return false;  // JSON strings hold no raw line breaks
            if (c != '\\') {
                if (out) *out += c;
                continue;
            }
            if (at_end()) return false;
            const char e = text_[pos_++];
            if (e == 'u') {
                unsigned long cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 1 < text_.size() && text_[pos_] == '\\' &&
                    text_[pos_ + 1] == 'u') {
                    pos_ += 2;
                    unsigned long low = 0;
                    if (!hex4(low)) return false;
                    if (low >= 0xDC00 && low <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    } else {
                        if (out) append_utf8(*out, static_cast<char32_t>(cp));
                        cp = low;
                    }
                }
                if (out) append_utf8(*out, static_cast<char32_t>(cp));
                continue;
            }
            if (!out) continue;
            switch (e) {
                case 'b': *out += '\b'; break;
                case 'f': *out += '\f'; break;
                case 'n': *out += '\n'; break;
                case 'r': *out += '\r'; break;
                case 't': *out += '\t'; break;
                default: *out += e; break;  // '"', '\\' and '/' stand for themselves
            }
        }
        return false;
    }

    bool hex4(unsigned long& cp) {
        if (text_.size() - pos_ < 4) return false;
        for (int i = 0; i < 4; ++i) {
            const char h = text_[pos_++];
            cp <<= 4;
            if (h >= '0' && h <= '9') cp |= static_cast<unsigned long>(h - '0');
            else if (h >= 'a' && h <= 'f') cp |= static_cast<unsigned long>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') cp |= static_cast<unsigned long>(h - 'A' + 10);
            else return false;
        }
        return true;
    }

    // A number, true, false or null: everything up to the next delimiter.
    bool scalar() {
        const std::size_t start = pos_;
        while (!at_end()) {
            const char c = text_[pos_];
            if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' ||
                c == '{' || c == '[' || c == ':')
                break;
            ++pos_;
        }
        return pos_ > start;
    }

    std::string_view text_;
    std::size_t max_depth_;
    std::unordered_map<std::string, TextPosition>& starts_;
    std::vector<Frame> stack_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::size_t line_start_ = 0;
};

}  // namespace

TextPosition position_at(std::string_view text, std::size_t offset) {
    if (offset > text.size()) offset = text.size();
    TextPosition position{offset, 1, 1};
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i)
        if (text[i] == '\n') {
            ++position.line;
            line_start = i + 1;
        }
    position.column = offset - line_start + 1;
    return position;
}

std::string pointer_token(std::string_view key) {
    std::string token;
    token.reserve(key.size());
    for (const char c : key) {
        if (c == '~') token += "~0";
        else if (c == '/') token += "~1";
        else token += c;
    }
    return token;
}

JsonSourceMap::JsonSourceMap(std::string_view text, std::size_t max_depth) {
    complete_ = Scanner(text, max_depth, starts_).run();
}

std::optional<TextPosition> JsonSourceMap::find(const std::string& pointer) const {
    auto it = starts_.find(pointer);
    if (it == starts_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::size_t> JsonSourceMap::line_of(const std::string& pointer) const {
    auto found = find(pointer);
    if (!found) return std::nullopt;
    return found->line;
}

}  // namespace tern::accounts
