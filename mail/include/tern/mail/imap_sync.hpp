// Keeps the local store in step with one account's IMAP server: the folder tree, new mail by UID
// ranges (headers first, in batches that each commit), flags (skipped when CONDSTORE says nothing
// changed), messages deleted elsewhere, a UIDVALIDITY change, bodies as the account's policy says,
// and the person's own changes queued while offline.
#pragma once

#include "tern/mail/connection_options.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tern::mail {

class MessageStore;
struct FolderState;
namespace detail {
class MailService;
}

enum class BodyPolicy {
    All,         // every body is downloaded in the background
    RecentDays,  // bodies of messages from the last `recent_days` days
    OnDemand,    // only when a message is opened
};

struct SyncSettings {
    BodyPolicy bodies = BodyPolicy::All;
    int recent_days = 30;
    std::size_t header_batch = 500;  // messages per FETCH and per store transaction
    // A connection that breaks (network, time-out) is opened again this many times per sync,
    // waiting reconnect_delay, then twice as long each time; the pass resumes where it stopped.
    int reconnect_attempts = 3;
    std::chrono::milliseconds reconnect_delay{1000};
};

struct SyncProgress {
    enum class Stage { Folders, Headers, Flags, Bodies, Changes };
    Stage stage = Stage::Folders;
    std::string folder;
    std::int64_t done = 0;
    std::int64_t total = 0;
};
using SyncProgressFn = std::function<void(const SyncProgress&)>;

struct FolderSyncReport {
    std::string path;
    std::int64_t added = 0;
    std::int64_t flags_updated = 0;
    std::int64_t removed = 0;
    std::int64_t bodies = 0;
    bool uidvalidity_reset = false;
    bool unchanged = false;  // the server's STATUS showed nothing new: no SELECT was needed
};

struct SyncReport {
    std::vector<FolderSyncReport> folders;
    std::int64_t changes_pushed = 0;
};

class ImapSync {
public:
    ImapSync(MessageStore& store, std::int64_t account_id, ConnectionOptions options, SyncSettings settings = {});
    ~ImapSync();
    ImapSync(const ImapSync&) = delete;
    ImapSync& operator=(const ImapSync&) = delete;

    // One pass over the account (or only the folders named in `only`). Connects when needed and
    // reconnects with backoff after a network failure (SyncSettings). Throws tern::Error; what
    // was committed before the error stays, and the next pass continues from there. The report
    // counts the work of the last attempt.
    SyncReport sync(const SyncProgressFn& progress = {}, const std::vector<std::string>& only = {});

    // Sends the person's queued flag changes, moves and deletions; returns how many were applied.
    std::int64_t push_changes();

    // Folder management on the server; the next sync brings the store in line.
    void create_folder(const std::string& path);
    void delete_folder(const std::string& path);

    // Uploads a message to a folder now (e.g. the copy of a sent message for Sent).
    void append(const std::string& path, const std::string& raw, int flags);

    // Downloads one message's body now (a message opened under the on-demand policy).
    bool fetch_body(const std::string& folder, std::int64_t uid);

    // Waits on INBOX (IMAP IDLE) up to `limit`: true when the server announced a change, false
    // when the time passed. Cancel through ConnectionOptions::cancel.
    bool wait_for_inbox_change(std::chrono::seconds limit);

    bool connected() const { return service_ != nullptr; }

private:
    detail::MailService& service();
    SyncReport sync_once(const SyncProgressFn& progress, const std::vector<std::string>& only);
    // `state` as the store has it now: only this folder's own sync changes it.
    FolderSyncReport sync_folder(FolderState state, const SyncProgressFn& progress);
    // Drops the connection (whatever state a failure left it in, the next call starts clean)
    // and throws the failure as a tern::Error worded with `doing`.
    [[noreturn]] void fail(detail::MailService& service, std::exception_ptr thrown, const std::string& doing);

    MessageStore& store_;
    std::int64_t account_id_;
    ConnectionOptions options_;
    SyncSettings settings_;
    std::unique_ptr<detail::MailService> service_;
};

}  // namespace tern::mail
