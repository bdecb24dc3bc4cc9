// Where each value of a JSON text starts, by JSON pointer: nlohmann keeps no positions, and an error
// in a providers file must name the line a person has to fix.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tern::accounts {

struct TextPosition {
    std::size_t offset = 0;  // bytes from the start, 0-based
    std::size_t line = 1;    // 1-based; lines end with '\n', as nlohmann counts them
    std::size_t column = 1;  // 1-based, in bytes
};

// The position of byte `offset` of `text`; an offset past the end gives the end of the text.
TextPosition position_at(std::string_view text, std::size_t offset);

// One reference token of a JSON pointer (RFC 6901): "~" becomes "~0" and "/" becomes "~1".
std::string pointer_token(std::string_view key);

class JsonSourceMap {
public:
    // Values nested deeper than this are scanned but not recorded: a pathological file of a million
    // '[' would otherwise need pointers of quadratic total size. A providers file nests 6 deep.
    static constexpr std::size_t default_max_depth = 32;

    // Scans `text`, meant to be JSON that nlohmann accepted. On anything else it keeps what it found
    // before the fault and stops: it never throws for bad input and never reads past the end.
    explicit JsonSourceMap(std::string_view text, std::size_t max_depth = default_max_depth);

    // Where the value at `pointer` starts ("" is the root, "/providers/0/servers/imap/port" a port).
    // Of duplicate keys the last one counts, as with nlohmann.
    std::optional<TextPosition> find(const std::string& pointer) const;
    // Just its line.
    std::optional<std::size_t> line_of(const std::string& pointer) const;
    // Whether the whole text was one well-formed value (followed by nothing but whitespace).
    bool complete() const { return complete_; }

private:
    std::unordered_map<std::string, TextPosition> starts_;
    bool complete_ = false;
};

}  // namespace tern::accounts
