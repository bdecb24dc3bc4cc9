// Hands messages to an SMTP submission server over one signed-in connection (the outbox and the
// device relay send through this).
#pragma once

#include "tern/mail/connection_options.hpp"
#include "tern/mail/smtp_reply.hpp"

#include <memory>
#include <string>
#include <vector>

namespace tern::mail {

namespace detail {
class MailService;
}

struct Submission {
    std::string envelope_from;             // MAIL FROM
    std::vector<std::string> recipients;   // RCPT TO, at least one
    std::string message;                   // RFC 5322 bytes, CRLF or LF line ends
};

struct SubmissionReceipt {
    std::string server_reply;  // the server's final answer, e.g. "250 2.0.0 Ok: queued as 4F2A"
};

// Thrown for a refused message: the server's words, and what they mean for retrying.
class SubmissionRefused : public Error {
public:
    SubmissionRefused(const Error& error, SmtpReplyMeaning meaning) : Error(error), meaning_(std::move(meaning)) {}
    const SmtpReplyMeaning& meaning() const noexcept { return meaning_; }

private:
    SmtpReplyMeaning meaning_;
};

class SmtpSubmitter {
public:
    // Connects and signs in; throws tern::Error like check_login().
    explicit SmtpSubmitter(ConnectionOptions options);
    ~SmtpSubmitter();
    SmtpSubmitter(const SmtpSubmitter&) = delete;
    SmtpSubmitter& operator=(const SmtpSubmitter&) = delete;

    // Throws SubmissionRefused when the server refuses the message (MAIL, RCPT or DATA), a plain
    // tern::Error for connection trouble (the message may or may not have been accepted only if
    // the connection broke after the final dot: the caller treats that as not sent).
    SubmissionReceipt submit(const Submission& submission);

private:
    std::unique_ptr<detail::MailService> service_;
};

}  // namespace tern::mail
