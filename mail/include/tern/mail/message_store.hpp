// The local mail store over the profile database: folders with their IMAP sync state, message
// envelopes and flags, bodies, attachments' metadata, full-text search, and the queue of the
// user's changes waiting for the server. Headless; the sync code and the UI facade call it.
//
// Every writing method is one transaction: it happens completely or not at all. A MessageStore
// holds no state of its own besides the connection; give each thread its own Database.
#pragma once

#include "tern/core/database.hpp"
#include "tern/mail/parsed_message.hpp"
#include "tern/mail/search_query.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::mail {

enum MessageFlag : int { Seen = 1, Answered = 2, Flagged = 4, Deleted = 8, Draft = 16 };

// Folder roles as stored; "" for an ordinary folder.
inline constexpr std::string_view folder_roles[] = {"inbox", "sent", "drafts", "trash", "junk", "archive", ""};

struct FolderState {
    std::int64_t id = 0, account_id = 0;
    std::string path, separator, role;
    std::int64_t uidvalidity = 0, uidnext = 0, highest_modseq = 0;
};

// One message as the server lists it, with its header block (RFC 5322) as fetched.
struct ServerMessage {
    std::int64_t uid = 0, modseq = 0;
    int flags = 0;
    std::int64_t internal_date = 0, size = 0;
    std::string header_bytes;
};

struct FlagUpdate {
    std::int64_t uid = 0;
    int flags = 0;
    std::int64_t modseq = 0;
};

struct MessageSummary {
    std::int64_t id = 0, folder_id = 0;
    std::int64_t uid = 0;  // 0 for a local-only message
    int flags = 0;
    std::int64_t date = 0;  // the Date header, or the server's internal date when it has none
    std::string subject, from_name, from_addr;
    bool has_attachments = false;
    bool body_downloaded = false;
};

struct MessageDetail {
    MessageSummary summary;
    std::string message_id, in_reply_to;  // Message-ID and In-Reply-To headers, without brackets
    std::string to, cc;                   // "Name <addr>, addr2"
    std::string text_body;                // empty until the body is downloaded
    std::vector<AttachmentInfo> attachments;
};

// Matched words in SearchHit::snippet are wrapped in these two control characters.
inline constexpr char snippet_match_start = '\x02';
inline constexpr char snippet_match_end = '\x03';

struct SearchHit {
    MessageSummary summary;
    double rank = 0;  // bm25: lower is better; 0 when the query has no words
    std::string snippet;
};

struct SearchPage {
    std::vector<SearchHit> hits;
    std::int64_t total = 0;
    bool total_is_capped = false;  // more than search_count_cap matches: total is the cap
};

inline constexpr std::int64_t search_count_cap = 10000;

struct PendingOperation {
    std::int64_t id = 0, account_id = 0, folder_id = 0;
    std::int64_t uid = 0;  // 0 for an append
    std::string kind;      // "flags", "move", "delete", "append"
    std::string payload;   // JSON, as stored
    std::int64_t created_at = 0;
    // The payload's fields, decoded.
    int add_flags = 0, remove_flags = 0;  // flags; for an append, add_flags are the message's flags
    std::int64_t target_folder_id = 0;    // move
    std::int64_t message = 0;             // move, append: the local message row (messages.id)
};

class MessageStore {
public:
    explicit MessageStore(Database& db);

    // Folders. upsert_folder keeps the sync state of a folder that exists. A role outside
    // folder_roles is BadInput.
    std::int64_t upsert_folder(std::int64_t account_id, const std::string& path, const std::string& separator,
                               const std::string& role);
    std::vector<FolderState> folders(std::int64_t account_id);
    std::optional<FolderState> folder(std::int64_t account_id, const std::string& path);
    void remove_folder(std::int64_t folder_id);
    void set_sync_state(std::int64_t folder_id, std::int64_t uidvalidity, std::int64_t uidnext,
                        std::int64_t highest_modseq);
    // UIDVALIDITY changed: drops every server message (uid NOT NULL) of the folder and the pending
    // operations that name its old UIDs, keeps local-only messages, sets the new uidvalidity with
    // uidnext and highest_modseq at 0.
    void reset_folder(std::int64_t folder_id, std::int64_t new_uidvalidity);

    // Server messages, one transaction per call. A UID already stored is updated, never doubled.
    // Headers are parsed and indexed. Local changes still queued win over what the server says: a
    // UID with a pending move or delete is not brought back, pending flag changes are applied on
    // top. A uid <= 0 is BadInput, and then nothing of the batch is written.
    void add_messages(std::int64_t folder_id, const std::vector<ServerMessage>& batch);
    // Stores the full RFC 5322 bytes, parses them, stores the text and attachments, updates the
    // index. Returns false if (folder, uid) is unknown.
    bool set_body(std::int64_t folder_id, std::int64_t uid, std::string_view raw);
    // set_body for many messages in one transaction (one disk flush instead of one per message).
    // Returns the UIDs that are unknown; nothing is stored for them.
    std::vector<std::int64_t> set_bodies(std::int64_t folder_id,
                                         const std::vector<std::pair<std::int64_t, std::string>>& bodies);
    // Newest first (by internal date); since_internal_date 0 means all.
    std::vector<std::int64_t> uids_without_body(std::int64_t folder_id, std::int64_t since_internal_date,
                                                std::size_t limit);
    void update_flags(std::int64_t folder_id, const std::vector<FlagUpdate>& updates);
    // The server expunged these.
    void remove_uids(std::int64_t folder_id, const std::vector<std::int64_t>& uids);
    std::vector<std::int64_t> uids(std::int64_t folder_id);  // ascending
    std::int64_t max_uid(std::int64_t folder_id);              // 0 when none

    // Reading.
    std::vector<MessageSummary> list(std::int64_t folder_id, std::size_t offset, std::size_t limit);  // newest first
    std::optional<MessageDetail> message(std::int64_t folder_id, std::int64_t uid);
    // By messages.id, which also reaches local-only rows.
    std::optional<MessageDetail> message_by_id(std::int64_t message_id);
    std::optional<std::string> raw_message(std::int64_t folder_id, std::int64_t uid);
    // By messages.id, which also reaches local-only rows (PendingOperation::message of an append).
    std::optional<std::string> raw_message_by_id(std::int64_t message_id);
    // Ranked by bm25 (subject > sender > recipients > body), equal ranks newest stored first; with one
    // account and only words, ranked within windows of the newest 2000 matches; a query without
    // words lists by date. total counts at most search_count_cap matches. from:, to: and subject:
    // read the small index of the header fields, with the same matches, ranks and snippets as the
    // whole index gives them.
    SearchPage search(std::int64_t account_id, const SearchQuery& query, std::size_t offset, std::size_t limit);
    struct Counts {
        std::int64_t total = 0, unread = 0;
    };
    Counts counts(std::int64_t folder_id);

    // The user's changes: applied to the local rows at once and queued for the server in the same
    // transaction. Each returns the operation id; an unknown message is NotFound.
    std::int64_t queue_flag_change(std::int64_t folder_id, std::int64_t uid, int add, int remove);
    // The message moves to the target folder at once, as a local-only row (uid NULL) until the
    // server confirms (see complete).
    std::int64_t queue_move(std::int64_t folder_id, std::int64_t uid, std::int64_t target_folder_id);
    // The message disappears from the folder at once.
    std::int64_t queue_delete(std::int64_t folder_id, std::int64_t uid);
    // A new message (a draft, a copy of a sent message) to upload: stored at once as a local-only
    // row with its body; returns the operation id.
    std::int64_t queue_append(std::int64_t folder_id, std::string_view raw, int flags);

    // Oldest first.
    std::vector<PendingOperation> pending(std::int64_t account_id);
    // The server did it. For a move or an append, `new_uid` is the UID the server gave the message
    // (COPYUID / APPENDUID): the local row takes it and keeps its body. Without it (or when that
    // UID is already stored) the local row goes, and the next sync of the folder brings the
    // message back with its UID. Completing an unknown operation does nothing.
    void complete(std::int64_t operation_id, std::optional<std::int64_t> new_uid = std::nullopt);
    // The server refused the operation for good. The local state follows the server again at the
    // next sync (a moved message returns to its folder, a deleted one reappears), except that an
    // appended message stays, local-only.
    void discard(std::int64_t operation_id);

private:
    Database& db_;
    bool search_functions_ready_ = false;  // the ranking function of search() is registered on db_
};

}  // namespace tern::mail
