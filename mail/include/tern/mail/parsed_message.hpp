// What Tern keeps of an RFC 5322 / MIME message: envelope headers, the readable text, and the
// attachments' metadata, all decoded to UTF-8. parse_message() reads untrusted bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::mail {

struct Mailbox {
    std::string name;     // display name, decoded; may be empty
    std::string address;  // as written (local@domain); may lack a domain in broken mail

    friend bool operator==(const Mailbox& a, const Mailbox& b) { return a.name == b.name && a.address == b.address; }
};

struct AttachmentInfo {
    std::string filename;    // decoded (RFC 2231 / RFC 2047); may be empty
    std::string mime_type;   // lower case, "type/subtype"
    std::int64_t size = 0;   // decoded bytes
    std::string content_id;  // without the angle brackets
    bool is_inline = false;  // Content-Disposition: inline, or a Content-ID without a disposition
};

struct ParsedMessage {
    std::string message_id;               // without the angle brackets
    std::string in_reply_to;              // the first message id of In-Reply-To
    std::vector<std::string> references;  // in order, without the angle brackets
    std::string subject;
    std::vector<Mailbox> from, to, cc, reply_to;
    std::int64_t date = 0;     // unix seconds; 0 when missing or unparsable
    std::string content_type;  // of the whole message, lower case "type/subtype" ("text/plain" if absent)
    std::string text_body;     // the text/plain part, else the HTML converted to text; \n line ends
    std::string html_body;     // the text/html part as UTF-8, if any
    std::vector<AttachmentInfo> attachments;
    // True when some attachment is not an inline part referenced by Content-ID (an image the HTML
    // shows): what a mail list shows as a paper clip.
    bool has_attachments = false;
};

// Parses a whole message, or only its header block (then the bodies and attachments are empty).
// Never throws for malformed input, which is read as well as it can be: only tern::Error
// (BadInput) for input larger than max_message_bytes. Nesting and part counts are bounded.
ParsedMessage parse_message(std::string_view rfc5322);

// The decoded bytes of attachment `index` (the order of ParsedMessage::attachments), for the
// reader's open and save and its inline images; nullopt when there is no such attachment.
std::optional<std::string> attachment_content(std::string_view rfc5322, std::size_t index);

inline constexpr std::size_t max_message_bytes = 256u * 1024 * 1024;

// "Name <address>, address2": for display and for the to/cc columns.
std::string format_mailboxes(const std::vector<Mailbox>& mailboxes);

}  // namespace tern::mail
