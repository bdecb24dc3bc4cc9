// Replies and forwards of a stored message: the subject without stacked prefixes, the thread
// headers, the recipients (reply-all without the person themselves and without duplicates), and the
// text quoted ("> ", already quoted lines as ">> ") or forwarded under the original headers.
#pragma once

#include "tern/mail/compose.hpp"
#include "tern/mail/parsed_message.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tern::mail {

enum class ReplyKind { Reply, ReplyAll };

// "Re: " + subject unless it already starts with Re: (any case, also "Re[2]:" and "AW:"/"SV:").
std::string reply_subject(std::string_view subject);
// "Fwd: " + subject unless it already starts with Fwd: or Fw:.
std::string forward_subject(std::string_view subject);

// "> " before every line; a line already quoted gets ">" (so "> x" becomes ">> x").
std::string quote_lines(std::string_view text);
// "On Tue, 3 Dec 2026 14:05, Ann <ann@x.org> wrote:" in English, local time: the desktop app passes
// its own translated line to build_reply instead.
std::string default_attribution(std::int64_t date, const std::string& sender);
// The sender as the attribution names it: "Ann <ann@x.org>", or the address alone.
std::string sender_of(const ParsedMessage& original);

// `self` are the person's own addresses (the account's), compared without case.
ComposeFields build_reply(const ParsedMessage& original, ReplyKind kind, const std::vector<std::string>& self,
                          const std::string& attribution);

// The forwarded text: `intro` ("-------- Forwarded message --------"), the original From, Date,
// Subject, To and Cc, then its text. `attachments` are the original's files (see save_attachments).
ComposeFields build_forward(const ParsedMessage& original, const std::string& intro,
                            std::vector<std::filesystem::path> attachments);
inline constexpr const char* default_forward_intro = "-------- Forwarded message --------";

// Writes the attachments of `raw` (not the inline images of its HTML) into `dir` under their own
// names (made safe, numbered when two are alike) and returns the files in order. Throws Storage
// when a file cannot be written.
std::vector<std::filesystem::path> save_attachments(std::string_view raw, const std::filesystem::path& dir);

}  // namespace tern::mail
