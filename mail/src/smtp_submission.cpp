#include "tern/mail/smtp_submission.hpp"

#include "mail_error.hpp"
#include "mail_service.hpp"

#include <vmime/mailbox.hpp>
#include <vmime/mailboxList.hpp>
#include <vmime/utility/inputStreamStringAdapter.hpp>

#include <spdlog/spdlog.h>

namespace tern::mail {

SmtpSubmitter::SmtpSubmitter(ConnectionOptions options)
    : service_(std::make_unique<detail::MailService>(std::move(options))) {}

SmtpSubmitter::~SmtpSubmitter() = default;

SubmissionReceipt SmtpSubmitter::submit(const Submission& submission) {
    if (submission.recipients.empty())
        throw Error(ErrorCategory::BadInput, "The message has no recipient.");
    vmime::mailboxList recipients;
    for (const auto& r : submission.recipients) recipients.appendMailbox(vmime::make_shared<vmime::mailbox>(r));
    vmime::utility::inputStreamStringAdapter stream(submission.message);
    try {
        service_->transport()->send(vmime::mailbox(submission.envelope_from), recipients, stream,
                                    submission.message.size());
    } catch (...) {
        Error error = service_->failure(std::current_exception(), "sending a message through");
        // A reply the server gave to MAIL, RCPT or DATA: explain it and say whether to retry.
        const auto& reply = error.context().response;
        if (error.category() == ErrorCategory::ServerError && !reply.empty()) {
            auto meaning = explain_smtp_reply(reply);
            std::string message = detail::server_name(service_->options().server) + " refused the message: \"" +
                                  reply + "\"";
            if (!meaning.explanation.empty()) message += ". " + meaning.explanation;
            throw SubmissionRefused(Error(meaning.category, message, error.detail(), error.context()), meaning);
        }
        throw error;
    }
    SubmissionReceipt receipt{service_->recorder().last_reply()};
    spdlog::info("{} accepted a message for {} recipient(s): {}", detail::server_name(service_->options().server),
                 submission.recipients.size(), receipt.server_reply);
    return receipt;
}

}  // namespace tern::mail
