// What an SMTP server's reply means for the person and for the retry loop: the answers people hit
// with Exchange Online and Outlook.com (DESIGN §3) explained in plain words, as data.
#pragma once

#include "tern/core/error.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tern::mail {

struct SmtpReplyMeaning {
    ErrorCategory category = ErrorCategory::ServerError;
    bool permanent = false;                       // retrying the same message will not help
    std::string explanation;                      // plain words; empty when nothing specific is known
    std::optional<std::chrono::seconds> backoff;  // the server's "Suggested Backoff Time"
};

// `reply` is the server's reply line(s), e.g. "535 5.7.139 Authentication unsuccessful, ...".
SmtpReplyMeaning explain_smtp_reply(std::string_view reply);

}  // namespace tern::mail
