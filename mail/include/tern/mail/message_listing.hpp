// What a message list view reads from the store: the order of a folder's messages as ids only
// (100 000 of them are 800 kB and one index scan, so the list can show its length at once), then
// the rows it is about to draw, a page at a time.
#pragma once

#include "tern/core/database.hpp"
#include "tern/mail/message_store.hpp"

#include <cstdint>
#include <vector>

namespace tern::mail {

enum class MessageOrder { Date, Sender, Subject };

// messages.id of the folder's messages in `order` (ties: newest first).
std::vector<std::int64_t> ordered_message_ids(Database& db, std::int64_t folder_id, MessageOrder order,
                                              bool descending);
// The summaries of `ids`, in the order given; ids no longer stored are left out.
std::vector<MessageSummary> message_summaries(Database& db, const std::vector<std::int64_t>& ids);

}  // namespace tern::mail
