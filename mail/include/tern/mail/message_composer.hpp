// Turns what a person wrote (addresses, subject, plain text, files) into an RFC 5322 message:
// UTF-8 throughout, encoded words for non-ASCII headers, quoted-printable text, base64 files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tern::mail {

struct MessageDraft {
    std::string from;                   // "Name <addr>" or "addr"
    std::vector<std::string> to, cc, bcc;
    std::string subject;
    std::string text;                   // plain text, UTF-8
    std::vector<std::filesystem::path> attachments;
    std::string in_reply_to;            // Message-ID of the message answered, without brackets
    std::vector<std::string> references;  // the thread, oldest first, without brackets; empty: in_reply_to
};

struct ComposedMessage {
    std::string bytes;                  // RFC 5322, CRLF line ends, no Bcc header
    std::string message_id;             // without brackets
    std::string envelope_from;          // the bare address of `from`
    std::vector<std::string> recipients;  // bare addresses of to, cc and bcc
};

// Throws tern::Error (BadInput) for an address that is not one, no recipient, or an attachment
// that cannot be read (naming the file).
ComposedMessage compose_message(const MessageDraft& draft);

}  // namespace tern::mail
