// What "get my mail" and "send what waits" mean for one account, for tern-cli and the desktop app
// alike: OAuth tried again when it is due, the folders synced over IMAP (or INBOX downloaded over
// POP3), and the outbox sent over SMTP with a copy appended to Sent unless the provider keeps one
// itself (DESIGN §3) — all through AccountAccess, so that the fallback policy judges every failure.
#pragma once

#include "tern/accounts/account_access.hpp"
#include "tern/core/database.hpp"
#include "tern/mail/imap_sync.hpp"
#include "tern/mail/outbox.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tern::accounts {

struct AccountSyncOptions {
    std::vector<std::string> only_folders;  // empty: every folder
    bool at_start = true;                   // a start of the program: OAuth is tried again when in fallback
    std::function<void(const mail::SyncProgress&)> progress;
};

struct AccountSyncReport {
    mail::SyncReport mail;
    mail::OutboxSendReport sent;
    std::optional<Error> outbox_error;             // the mail came, the outbox waits: why
    PolicyDecision decision;                       // what the fallback policy did during the sync
    std::optional<PolicyDecision> oauth_retry;     // when OAuth was tried again first
};

// One account's sync, then its due outbox messages. Throws tern::Error when the mail could not be
// fetched (Cancelled when `cancel` was); an outbox that could not be sent is reported, not thrown.
AccountSyncReport sync_account(AccountAccess& access, Database& db, const AccountSyncOptions& options,
                               std::shared_ptr<CancelToken> cancel);

// Sends the account's due outbox messages over SMTP (the fallback's servers when the policy
// switches, then at once, not later). Throws what stopped the round; the messages stay queued.
mail::OutboxSendReport send_outbox(AccountAccess& access, Database& db, std::shared_ptr<CancelToken> cancel);

}  // namespace tern::accounts
