// What the main window's views show, read from the store on a worker and handed to the UI thread
// as plain values (no database handles cross threads).
#pragma once

#include "tern/accounts/account.hpp"
#include "tern/accounts/mail_profile.hpp"
#include "tern/mail/message_store.hpp"

#include "tern/accounts/account_access.hpp"
#include "tern/core/cancellation.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tern::ui {

struct FolderEntry {
    std::int64_t id = 0;
    std::string path, separator, role;
    std::int64_t total = 0, unread = 0;
};

struct AccountEntry {
    accounts::Account account;
    std::vector<FolderEntry> folders;
};

// Every account with its folders and their counts (one read, on the store worker).
std::vector<AccountEntry> read_mail_tree(accounts::MailProfile& profile);

}  // namespace tern::ui

namespace tern::ui {

// The person's changes to messages, written to the store (applied at once, queued for the server).
struct FlagChange {
    std::int64_t folder_id = 0, uid = 0;
    int add = 0, remove = 0;
};
void queue_flag_changes(accounts::MailProfile& profile, const std::vector<FlagChange>& changes);
void queue_deletes(accounts::MailProfile& profile, const std::vector<mail::MessageSummary>& messages);
void queue_moves(accounts::MailProfile& profile, const std::vector<mail::MessageSummary>& messages,
                 std::int64_t target_folder_id);

// Sends the account's queued changes to its IMAP server (on the account's worker). Returns how many.
std::int64_t push_queued_changes(accounts::MailProfile& profile, std::int64_t account_id,
                                 const accounts::FallbackPrompts& prompts, std::shared_ptr<CancelToken> cancel);

std::optional<accounts::Account> account_by_id(accounts::MailProfile& profile, std::int64_t account_id);

}  // namespace tern::ui
