// One mailbox selected on the IMAP store's own connection and driven with the commands vmime
// 0.9.2 lacks or makes slow: UID SEARCH, batched UID FETCH of headers and bodies, FETCH with
// CHANGEDSINCE (RFC 7162), UID EXPUNGE (RFC 4315) and UID MOVE (RFC 6851).
//
// Why not vmime's folder objects: every opened vmime folder makes a connection of its own, and
// after each FETCH vmime walks every live message object of the folder for each line of the
// answer, so a sync of a large folder grows with the square of its size (docs/benchmarks.md).
#pragma once

#include "tern/mail/message_store.hpp"

#include <vmime/net/imap/IMAPConnection.hpp>
#include <vmime/net/imap/IMAPParser.hpp>
#include <vmime/net/store.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tern::mail::detail {

class ImapMailbox {
public:
    enum class Mode { ReadOnly, ReadWrite };

    // EXAMINE (read-only) or SELECT, with CONDSTORE when the server offers it. A NO (no such
    // mailbox, no right) throws vmime::exceptions::command_error, worded by to_mail_error.
    ImapMailbox(vmime::net::store& store, const std::string& path, Mode mode);
    // Leaves the connection unselected (UNSELECT, or CLOSE after EXAMINE, which never expunges):
    // a STATUS of a mailbox selected on the same connection would answer from a stale view.
    void close();
    ~ImapMailbox();
    ImapMailbox(const ImapMailbox&) = delete;
    ImapMailbox& operator=(const ImapMailbox&) = delete;

    // What SELECT said.
    std::int64_t uidvalidity() const { return uidvalidity_; }
    std::int64_t uidnext() const { return uidnext_; }
    std::int64_t exists() const { return exists_; }
    std::int64_t highest_modseq() const { return highest_modseq_; }  // 0: no CONDSTORE
    bool condstore() const { return condstore_; }

    // Every UID at or above `from`, sorted.
    std::vector<std::int64_t> uids_from(std::int64_t from);
    // Flags, size, MODSEQ and the raw header block of these messages.
    std::vector<ServerMessage> fetch_headers(const std::vector<std::int64_t>& sorted_uids);
    // Flags (and MODSEQ) of the messages of [first, last]; with changed_since > 0 and CONDSTORE,
    // only those changed after that modification sequence.
    std::vector<FlagUpdate> fetch_flags(std::int64_t first, std::int64_t last, std::int64_t changed_since = 0);
    // Whole messages, without setting \Seen; a UID missing from the answer was expunged.
    std::map<std::int64_t, std::string> fetch_bodies(const std::vector<std::int64_t>& sorted_uids);

    // Changes the person made (SELECT mode only).
    void store_flags(std::int64_t uid, int add_store_flags, int remove_store_flags);
    // Moves one message; returns its UID in the target when the server says (COPYUID).
    std::optional<std::int64_t> move(std::int64_t uid, const std::string& target_path);
    // Removes one message for good. Without UIDPLUS it is only marked \Deleted: a plain EXPUNGE
    // would also remove what other clients marked and meant to keep until they expunge.
    void remove(std::int64_t uid);

private:
    using Response = std::unique_ptr<vmime::net::imap::IMAPParser::response>;
    // Sends the command and reads its whole answer; NO or BAD throws command_error naming `verb`.
    Response run(const std::string& command, const std::string& verb);
    std::string mailbox_name(const std::string& path) const;
    std::optional<std::int64_t> copied_uid(const Response& response) const;

    std::shared_ptr<vmime::net::imap::IMAPConnection> connection_;
    Mode mode_;
    bool open_ = false;
    bool condstore_ = false;
    std::int64_t uidvalidity_ = 0, uidnext_ = 0, exists_ = 0, highest_modseq_ = 0;
};

}  // namespace tern::mail::detail
