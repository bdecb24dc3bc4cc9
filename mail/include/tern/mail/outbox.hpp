// Messages on their way out. A message is committed to the profile database (synchronous=FULL,
// so fsynced) before enqueue() returns: only then may anyone say "queued". It leaves the outbox
// only after the server's 250 and, where the provider does not keep sent mail itself, the copy in
// Sent. Permanent refusals stay, visible with the server's words explained.
#pragma once

#include "tern/core/database.hpp"
#include "tern/core/error.hpp"
#include "tern/mail/smtp_submission.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tern::mail {

// Accepted: the server said 250 and the copy for Sent is still to be made.
enum class OutboxState { Queued, Sending, Accepted, Failed };
std::string_view to_string(OutboxState state);  // "queued", "sending", "accepted", "failed"

struct OutboxEntry {
    std::int64_t id = 0;
    std::int64_t account_id = 0;
    OutboxState state = OutboxState::Queued;
    std::string envelope_from;
    std::vector<std::string> recipients;
    std::string subject;
    std::int64_t created_at = 0;       // Unix seconds
    std::int64_t next_attempt_at = 0;  // Unix seconds
    int attempts = 0;
    std::string last_error;            // a person's words; empty when none
    std::string last_error_category;   // tern::ErrorCategory name
    std::string server_reply;          // the server's last answer (250 when sent)
};

class Outbox {
public:
    explicit Outbox(Database& db) : db_(db) {}

    // Throws tern::Error (BadInput: no recipient or empty message; Storage: not written).
    std::int64_t enqueue(std::int64_t account_id, const Submission& submission, const std::string& subject);

    std::vector<OutboxEntry> entries(std::optional<std::int64_t> account_id = std::nullopt);
    std::optional<OutboxEntry> entry(std::int64_t id);
    Submission submission(std::int64_t id);
    // Queued entries whose next attempt is due at `now`, oldest first.
    std::vector<std::int64_t> due(std::int64_t account_id, std::int64_t now);

    void mark_sending(std::int64_t id);
    void mark_accepted(std::int64_t id, const std::string& server_reply);  // 250: waits for the Sent copy
    void mark_sent(std::int64_t id);                                       // done: leaves the outbox
    void schedule_retry(std::int64_t id, const Error& error, std::int64_t next_attempt_at);
    void mark_failed(std::int64_t id, const Error& error);
    // Makes the account's waiting entries due now (not the failed ones): the account changed
    // servers or sign-in, or the person asked to send now. Returns how many.
    int retry_now(std::int64_t account_id);
    // At start: a 'sending' entry was cut off by a crash. Sending it again may duplicate it at the
    // recipient, which is better than losing it.
    int recover_interrupted();
    bool remove(std::int64_t id);

private:
    Database& db_;
};

// The wait before attempt `attempts + 1`: 30 s doubling to at most an hour, or what the server asked.
std::chrono::seconds retry_delay(int attempts, std::optional<std::chrono::seconds> server_backoff);

struct OutboxSendReport {
    int sent = 0;
    int retry_later = 0;
    int failed = 0;
    // The connection or sign-in failure that stopped the round (the messages wait for a retry):
    // what a caller hands to the fallback policy.
    std::optional<Error> stopped_by;
};

// Sends one account's due messages over one SMTP connection. `copy_to_sent` (may be empty: the
// provider keeps sent mail itself) appends the accepted message to Sent; if it throws, the entry
// waits in 'accepted' state and only the copy is retried.
OutboxSendReport send_due(Outbox& outbox, std::int64_t account_id, const ConnectionOptions& smtp,
                          const std::function<void(const std::string& raw)>& copy_to_sent, std::int64_t now);

}  // namespace tern::mail
