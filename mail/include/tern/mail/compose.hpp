// What a composer holds (recipients, subject, text, files, the thread it answers) and the address
// lists a person types ("Ann <ann@x.org>, bob@y.org"): shared by the reply and forward builders,
// mailto: links, drafts and the desktop composer. The message itself is made by compose_message().
#pragma once

#include "tern/mail/message_composer.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tern::mail {

struct ComposeFields {
    std::vector<std::string> to, cc, bcc;  // "Name <addr>" or "addr", as the person wrote them
    std::string subject;
    std::string body;                      // plain text, UTF-8, \n line ends
    std::vector<std::filesystem::path> attachments;
    std::string in_reply_to;               // Message-ID answered, without brackets; empty for a new message
    std::vector<std::string> references;   // the thread, oldest first, without brackets

    bool empty() const;  // nothing a person wrote or chose
    friend bool operator==(const ComposeFields& a, const ComposeFields& b);
};

// Splits a typed list at the commas and semicolons that are outside quotes and angle brackets,
// trimming each piece and dropping empty ones.
std::vector<std::string> split_addresses(std::string_view typed);
std::string join_addresses(const std::vector<std::string>& addresses);  // ", " between them
// The bare address of "Name <addr>" or "addr", lower-cased for comparisons.
std::string address_key(std::string_view mailbox);

// The message to compose_message() for `from` ("Name <addr>").
MessageDraft to_message_draft(const ComposeFields& fields, const std::string& from);

}  // namespace tern::mail
