// Row-level helpers shared by the MessageStore's files (private to tern_mail).
#pragma once

#include "tern/core/database.hpp"
#include "tern/mail/message_store.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace tern::mail::store {

// The columns read_summary expects, over the messages table aliased m.
inline constexpr std::string_view summary_columns =
    "m.id, m.folder_id, m.uid, m.flags, m.date, m.subject, m.from_name, m.from_addr, m.has_attachments, "
    "m.body_state";
inline constexpr int summary_column_count = 10;

MessageSummary read_summary(const Statement& row, int first_column);

// messages.id of (folder, uid), if stored.
std::optional<std::int64_t> message_row(Database& db, std::int64_t folder_id, std::int64_t uid);
// The account of a folder; NotFound when there is no such folder.
std::int64_t folder_account(Database& db, std::int64_t folder_id);

// Parses, stores the raw bytes, the text, the attachments and the envelope of message row `id`,
// and marks its body downloaded. Call inside a transaction.
void store_body(Database& db, std::int64_t id, std::string_view raw);

// The local changes of a folder still waiting for the server, by UID.
struct PendingChanges {
    std::unordered_map<std::int64_t, std::pair<int, int>> flags;  // uid -> (add, remove)
    std::unordered_set<std::int64_t> gone;                         // moved away or deleted

    int apply(std::int64_t uid, int server_flags) const;
};
PendingChanges pending_changes(Database& db, std::int64_t folder_id);

std::int64_t now_seconds();

}  // namespace tern::mail::store
