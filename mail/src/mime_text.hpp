// Text-level decoding for the message parser (private to tern_mail): charsets to UTF-8, RFC 2047
// encoded words, transfer encodings. Every function takes untrusted bytes, runs in linear time and
// never throws: what cannot be decoded is kept as well as possible, never dropped silently.
#pragma once

#include "tern/core/text.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace tern::mail::mime {

// Valid UTF-8 is kept; each byte that is not part of a valid sequence is read as Windows-1252
// (what an unlabelled 8-bit header almost always is). The result is always valid UTF-8.
std::string utf8_or_cp1252(std::string_view bytes);

// `bytes` in `charset` (a MIME charset label, any case; empty means unlabelled) as valid UTF-8.
// An unknown or failing charset falls back to utf8_or_cp1252.
std::string to_utf8(std::string_view bytes, std::string_view charset);

// A header value with RFC 2047 encoded words (=?charset?B|Q?...?=) decoded to UTF-8, control
// characters turned into spaces, whitespace runs collapsed and the ends trimmed.
std::string decode_header_text(std::string_view value);

// Replaces ASCII control characters except \n and \t, turns CRLF and lone CR into \n and drops a
// leading byte order mark: the form in which bodies are stored, shown and indexed.
std::string normalize_body_text(std::string text);

// Content-Transfer-Encoding decoding; `encoding` is the header value (any case). base64 and
// quoted-printable are decoded leniently (stray characters skipped); anything else is identity.
std::string decode_transfer(std::string_view body, std::string_view encoding);
// The number of bytes decode_transfer would return, without building them.
std::int64_t decoded_size(std::string_view body, std::string_view encoding);

using tern::append_utf8;

// Days since 1970-01-01 of a proleptic Gregorian date, for year >= 0 (dates in headers and queries).
std::int64_t days_from_civil(std::int64_t year, int month, int day);

// ASCII helpers shared by the parser's files.
using tern::ascii_lower;
using tern::iequals;
std::string_view trim(std::string_view text);

}  // namespace tern::mail::mime
