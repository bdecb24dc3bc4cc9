// Base64 (RFC 4648 §4) and base64url without padding (§5, as PKCE and JWTs use it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern {

std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);  // no '=' padding

// Accepts both alphabets, with or without padding; nullopt when the text is not base64.
std::optional<std::string> base64_decode(std::string_view text);

// The 6-bit value of a character of either alphabet ("+/" or "-_"), or -1 for any other.
int base64_value(char c);

}  // namespace tern
