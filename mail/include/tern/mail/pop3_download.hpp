// Downloads a POP3 account's mail into the store's INBOX: the messages whose UIDL it has not seen,
// whole, in batches that each commit; then deletes from the server what the settings say may go.
// What is stored here stays here, whatever happens on the server: with POP3 the local copy is the
// mail.
#pragma once

#include "tern/mail/connection_options.hpp"
#include "tern/mail/imap_sync.hpp"
#include "tern/mail/pop3_uidls.hpp"

#include <cstddef>
#include <cstdint>

namespace tern::mail {

struct Pop3Settings {
    // false: a message is deleted from the server as soon as it is stored here (also the ones an
    // earlier pass left there).
    bool leave_on_server = true;
    // With leave_on_server: delete a message from the server once it has been here more than
    // this many days; 0 keeps it there for good.
    int delete_after_days = 0;
    std::size_t batch = 50;  // messages per store transaction
};

// Whether a message recorded in the ledger should now be deleted from the server (given that the
// server still lists it). Only messages stored here completely qualify.
bool pop3_deletion_due(const Pop3UidlRow& row, const Pop3Settings& settings, std::int64_t now);

struct Pop3Report {
    std::int64_t on_server = 0;          // messages the server listed
    std::int64_t downloaded = 0;         // stored here by this pass
    std::int64_t deleted_on_server = 0;  // deleted from the server by this pass
    std::int64_t gone_from_server = 0;   // found missing from the server (deleted elsewhere); kept here
    std::int64_t skipped = 0;            // the server refused to send them (RETR -ERR); tried again next pass
};

class Pop3Download {
public:
    // `db` is the profile database of `account_id`; the messages and their UIDLs are written there
    // (through a MessageStore over the same connection).
    Pop3Download(Database& db, std::int64_t account_id, ConnectionOptions options, Pop3Settings settings = {});

    // One POP3 session: sign in, list, download what is new, delete what is due, QUIT. Progress:
    // Stage::Headers for new messages (done/total), Stage::Changes for deletions. Throws
    // tern::Error; every batch committed before the error stays, and the next pass goes on from
    // there without doubling anything. Nothing is deleted from the server unless the session
    // ends with a successful QUIT.
    Pop3Report download(const SyncProgressFn& progress = {});

private:
    Database& db_;
    std::int64_t account_id_;
    ConnectionOptions options_;
    Pop3Settings settings_;
};

}  // namespace tern::mail
