// Header-level parsing for the message parser (private to tern_mail): splitting an entity into
// header fields and body, Content-Type style parameters (RFC 2045, RFC 2231), address lists,
// message ids and dates. Linear in the input, bounded in what it keeps, never throws.
#pragma once

#include "tern/mail/parsed_message.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::mail::mime {

struct HeaderField {
    std::string name;             // lower case
    std::string_view raw_value;   // after the colon, folding line breaks still in
};

struct Entity {
    std::vector<HeaderField> fields;
    std::string_view body;  // empty when there is no blank line after the header block

    // The first field called `name` (lower case), unfolded; nullopt when absent.
    std::optional<std::string> field(std::string_view name) const;
};

// Splits at the first empty line. Lines that are neither a field nor a continuation are skipped.
Entity split_entity(std::string_view bytes);

// Removes the CR/LF of folded lines (the following blank stays).
std::string unfold(std::string_view raw);

struct Parameters {
    std::vector<std::pair<std::string, std::string>> values;  // lower-case name, decoded UTF-8 value
    const std::string* find(std::string_view name) const;
};

// "value; a=b; c*=utf-8''x%20y; d*0=..; d*1=..": the value (lower case, comments removed) and
// the parameters with RFC 2231 sections joined and decoded, and RFC 2047 words in plain values
// decoded (some mailers write filenames so).
std::pair<std::string, Parameters> parse_parameterized(std::string_view value);

std::vector<Mailbox> parse_address_list(std::string_view value);

// The ids between angle brackets, without them; a bare token when there are no brackets.
std::vector<std::string> parse_message_ids(std::string_view value);

// RFC 5322 date (and the common variants) as unix seconds; 0 when unparsable.
std::int64_t parse_date(std::string_view value);

}  // namespace tern::mail::mime
