// Unsent messages kept in the profile database (drafts hold no secrets), so that what a person
// wrote survives closing the composer and a crash; and the step that turns one into an outbox
// message, removing the draft in the same transaction.
#pragma once

#include "tern/core/database.hpp"
#include "tern/mail/compose.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace tern::mail {

struct SavedDraft {
    std::int64_t id = 0;
    std::int64_t account_id = 0;
    ComposeFields fields;
    std::int64_t updated_at = 0;  // Unix seconds
};

class DraftStore {
public:
    explicit DraftStore(Database& db) : db_(db) {}

    // Writes the draft (a new one when `id` is 0 or no longer exists) and returns its id.
    std::int64_t save(std::int64_t account_id, std::int64_t id, const ComposeFields& fields);
    std::optional<SavedDraft> load(std::int64_t id);
    std::vector<SavedDraft> list(std::int64_t account_id);  // newest first
    bool remove(std::int64_t id);

private:
    Database& db_;
};

struct QueuedMessage {
    std::int64_t outbox_id = 0;
    std::string message_id;  // without brackets
};

// Composes the message from `fields` as `from` ("Name <addr>"), puts it in the outbox (on disk
// before this returns) and removes draft `draft_id` (when not 0) in the same transaction. Throws
// what compose_message and Outbox::enqueue throw; then the draft is left as it was.
QueuedMessage queue_message(Database& db, std::int64_t account_id, const std::string& from,
                            const ComposeFields& fields, std::int64_t draft_id);

}  // namespace tern::mail
