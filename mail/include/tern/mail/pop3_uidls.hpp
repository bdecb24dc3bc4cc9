// One POP3 account's record of the messages its server listed, by UIDL (table pop3_uidls): the
// local uid each one has in the account's INBOX, when it was stored here, and whether the server
// still has it. It makes POP3 download incremental (a UIDL is downloaded once), resumable (a uid
// is reserved before the message is stored and confirmed after) and safe to delete from.
//
// Every writing method is one transaction.
#pragma once

#include "tern/core/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tern::mail {

struct Pop3UidlRow {
    std::string uidl;
    std::int64_t uid = 0;
    std::optional<std::int64_t> downloaded_at;  // nullopt: reserved, the message is not yet stored
    bool deleted_on_server = false;             // the server no longer has it
};

class Pop3Uidls {
public:
    Pop3Uidls(Database& db, std::int64_t account_id);

    std::vector<Pop3UidlRow> rows();  // by uid

    // The local uid of each UIDL, in order: the one it already has, or a new one above every uid
    // of this ledger and of `folder_id` (the INBOX the messages go to), recorded as reserved.
    std::vector<std::int64_t> reserve(std::int64_t folder_id, const std::vector<std::string>& uidls);
    // The messages are in the store: never download them again.
    void mark_downloaded(const std::vector<std::string>& uidls, std::int64_t when);
    void mark_deleted_on_server(const std::vector<std::string>& uidls);
    // Drops reserved rows whose message never reached the store and never will.
    void forget(const std::vector<std::string>& uidls);

private:
    Database& db_;
    std::int64_t account_id_;
};

}  // namespace tern::mail
