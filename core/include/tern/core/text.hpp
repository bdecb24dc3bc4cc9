// Small text helpers shared by the core libraries.
#pragma once

#include <string>
#include <string_view>

namespace tern {

// Replaces every occurrence of `from` (non-empty) in `text`; replacements are not rescanned.
void replace_all(std::string& text, std::string_view from, std::string_view to);

// ASCII case mapping, independent of the locale: protocol words, header names, charset labels.
std::string ascii_lower(std::string_view text);
std::string ascii_upper(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

// Bytes as lower-case hex pairs joined by ':' ("ab:cd:..."): how certificate fingerprints are shown
// and pinned.
std::string colon_hex(const unsigned char* bytes, std::size_t size);

// Appends the code point `cp` (at most U+10FFFF) to `out` as UTF-8.
void append_utf8(std::string& out, char32_t cp);

}  // namespace tern
