#include "tern/mail/outbox.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>

namespace tern::mail {
namespace {

OutboxState state_from(const std::string& text) {
    if (text == "sending") return OutboxState::Sending;
    if (text == "accepted") return OutboxState::Accepted;
    if (text == "failed") return OutboxState::Failed;
    return OutboxState::Queued;
}

// The recipients column: a JSON array of addresses, as enqueue() writes it.
std::vector<std::string> recipients_from(const std::string& json_text) {
    std::vector<std::string> out;
    const auto recipients = nlohmann::json::parse(json_text, nullptr, false);
    if (recipients.is_array())
        for (const auto& r : recipients)
            if (r.is_string()) out.push_back(r.get<std::string>());
    return out;
}

constexpr const char* columns =
    "id, account_id, state, envelope_from, recipients, subject, created_at, next_attempt_at, attempts, "
    "last_error, last_error_category, server_reply";

OutboxEntry read_entry(const Statement& st) {
    OutboxEntry e;
    e.id = st.column_int(0);
    e.account_id = st.column_int(1);
    e.state = state_from(st.column_text(2));
    e.envelope_from = st.column_text(3);
    e.recipients = recipients_from(st.column_text(4));
    e.subject = st.column_text(5);
    e.created_at = st.column_int(6);
    e.next_attempt_at = st.column_int(7);
    e.attempts = static_cast<int>(st.column_int(8));
    e.last_error = st.column_text(9);
    e.last_error_category = st.column_text(10);
    e.server_reply = st.column_text(11);
    return e;
}

}  // namespace

std::string_view to_string(OutboxState state) {
    switch (state) {
        case OutboxState::Queued: return "queued";
        case OutboxState::Sending: return "sending";
        case OutboxState::Accepted: return "accepted";
        case OutboxState::Failed: return "failed";
    }
    return "queued";
}

std::int64_t Outbox::enqueue(std::int64_t account_id, const Submission& submission, const std::string& subject) {
    if (submission.recipients.empty()) throw Error(ErrorCategory::BadInput, "The message has no recipient.");
    if (submission.message.empty()) throw Error(ErrorCategory::BadInput, "The message is empty.");
    if (submission.envelope_from.empty()) throw Error(ErrorCategory::BadInput, "The message has no sender.");
    auto st = db_.prepare(
        "INSERT INTO outbox (account_id, state, envelope_from, recipients, subject, message, created_at, "
        "next_attempt_at) VALUES (?, 'queued', ?, ?, ?, ?, ?, 0)");
    st.bind(1, account_id)
        .bind(2, submission.envelope_from)
        .bind(3, nlohmann::json(submission.recipients).dump())
        .bind(4, subject)
        .bind(5, submission.message)
        .bind(6, static_cast<std::int64_t>(std::time(nullptr)));
    // Autocommit with synchronous=FULL: when run() returns, the row is on disk.
    st.run();
    return db_.last_insert_rowid();
}

std::vector<OutboxEntry> Outbox::entries(std::optional<std::int64_t> account_id) {
    std::vector<OutboxEntry> out;
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM outbox WHERE ?1 IS NULL OR account_id = ?1 ORDER BY id");
    st.bind(1, account_id);
    while (st.step()) out.push_back(read_entry(st));
    return out;
}

std::optional<OutboxEntry> Outbox::entry(std::int64_t id) {
    auto st = db_.prepare(std::string("SELECT ") + columns + " FROM outbox WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_entry(st);
}

Submission Outbox::submission(std::int64_t id) {
    auto st = db_.prepare("SELECT envelope_from, recipients, message FROM outbox WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) throw Error(ErrorCategory::NotFound, "There is no message " + std::to_string(id) + " in the outbox.");
    Submission s;
    s.envelope_from = st.column_text(0);
    s.recipients = recipients_from(st.column_text(1));
    s.message = st.column_text(2);
    return s;
}

std::vector<std::int64_t> Outbox::due(std::int64_t account_id, std::int64_t now) {
    std::vector<std::int64_t> ids;
    auto st = db_.prepare(
        "SELECT id FROM outbox WHERE account_id = ? AND state IN ('queued', 'accepted') AND next_attempt_at <= ? "
        "ORDER BY id");
    st.bind(1, account_id).bind(2, now);
    while (st.step()) ids.push_back(st.column_int(0));
    return ids;
}

void Outbox::mark_sending(std::int64_t id) {
    auto st = db_.prepare("UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?");
    st.bind(1, id).run();
}

void Outbox::mark_accepted(std::int64_t id, const std::string& server_reply) {
    auto st = db_.prepare(
        "UPDATE outbox SET state = 'accepted', server_reply = ?, last_error = '', last_error_category = '' "
        "WHERE id = ?");
    st.bind(1, server_reply).bind(2, id).run();
}

void Outbox::mark_sent(std::int64_t id) {
    auto st = db_.prepare("DELETE FROM outbox WHERE id = ?");
    st.bind(1, id).run();
}

void Outbox::schedule_retry(std::int64_t id, const Error& error, std::int64_t next_attempt_at) {
    // An entry the server already accepted stays accepted: only its Sent copy is retried.
    auto st = db_.prepare(
        "UPDATE outbox SET state = CASE state WHEN 'accepted' THEN 'accepted' ELSE 'queued' END, "
        "next_attempt_at = ?, last_error = ?, last_error_category = ?, server_reply = CASE state WHEN 'accepted' "
        "THEN server_reply ELSE ? END WHERE id = ?");
    st.bind(1, next_attempt_at)
        .bind(2, error.message())
        .bind(3, std::string(to_string(error.category())))
        .bind(4, error.context().response)
        .bind(5, id)
        .run();
}

int Outbox::retry_now(std::int64_t account_id) {
    auto st = db_.prepare("UPDATE outbox SET next_attempt_at = 0 WHERE account_id = ? AND state IN ('queued', 'accepted')");
    st.bind(1, account_id).run();
    return db_.changes();
}

void Outbox::mark_failed(std::int64_t id, const Error& error) {
    auto st = db_.prepare(
        "UPDATE outbox SET state = 'failed', last_error = ?, last_error_category = ?, server_reply = ? WHERE id = ?");
    st.bind(1, error.message())
        .bind(2, std::string(to_string(error.category())))
        .bind(3, error.context().response)
        .bind(4, id)
        .run();
}

int Outbox::recover_interrupted() {
    db_.exec("UPDATE outbox SET state = 'queued' WHERE state = 'sending'");
    return db_.changes();
}

bool Outbox::remove(std::int64_t id) {
    auto st = db_.prepare("DELETE FROM outbox WHERE id = ?");
    st.bind(1, id).run();
    return db_.changes() > 0;
}

std::chrono::seconds retry_delay(int attempts, std::optional<std::chrono::seconds> server_backoff) {
    if (server_backoff && server_backoff->count() > 0) return *server_backoff;
    const int doublings = std::clamp(attempts - 1, 0, 7);
    return std::min(std::chrono::seconds(30 << doublings), std::chrono::seconds(3600));
}

OutboxSendReport send_due(Outbox& outbox, std::int64_t account_id, const ConnectionOptions& smtp,
                          const std::function<void(const std::string& raw)>& copy_to_sent, std::int64_t now) {
    OutboxSendReport report;
    const auto ids = outbox.due(account_id, now);
    if (ids.empty()) return report;

    std::unique_ptr<SmtpSubmitter> submitter;
    for (const auto id : ids) {
        const auto entry = outbox.entry(id);
        if (!entry) continue;
        const auto submission = outbox.submission(id);
        try {
            if (entry->state != OutboxState::Accepted) {
                if (!submitter) submitter = std::make_unique<SmtpSubmitter>(smtp);
                outbox.mark_sending(id);
                const auto receipt = submitter->submit(submission);
                outbox.mark_accepted(id, receipt.server_reply);
            }
            if (copy_to_sent) copy_to_sent(submission.message);
            outbox.mark_sent(id);
            ++report.sent;
        } catch (const SubmissionRefused& refused) {
            if (refused.meaning().permanent) {
                outbox.mark_failed(id, refused);
                ++report.failed;
            } else {
                outbox.schedule_retry(id, refused, now + retry_delay(entry->attempts + 1, refused.meaning().backoff).count());
                ++report.retry_later;
            }
        } catch (const Error& error) {
            // The connection or the sign-in failed: this and every later message wait for the next round.
            outbox.schedule_retry(id, error, now + retry_delay(entry->attempts + 1, std::nullopt).count());
            ++report.retry_later;
            if (error.category() == ErrorCategory::Cancelled) throw;
            submitter.reset();
            report.stopped_by = error;
            if (entry->state != OutboxState::Accepted) break;
        }
    }
    return report;
}

}  // namespace tern::mail
