// Keeps secrets out of text that leaves memory (logs, error details, crash output).
// Two layers: secrets Tern has handled are remembered and replaced wherever they appear, and
// patterns catch the protocol shapes that carry secrets (Authorization headers, SASL responses,
// IMAP LOGIN, POP3 PASS, token fields in JSON, forms and URLs, JWTs).
#pragma once

#include <string>
#include <string_view>

namespace tern {

inline constexpr std::string_view redacted_marker = "[REDACTED]";

// Remember a secret for the life of the process. Secrets shorter than 3 characters are not
// remembered (they would blank ordinary text); the protocol patterns still cover them.
void remember_secret(std::string_view secret);

// Return `text` with every remembered secret and every secret-carrying pattern replaced.
std::string redact(std::string_view text);

}  // namespace tern
