// The relay's queue on disk: every message a device hands over is in `relay/spool.db` (SQLite,
// WAL, synchronous=FULL: the commit fsyncs) before the device hears 250, and leaves it only when
// the upstream server accepted it or it failed for good. Accepting is a group commit: one
// transaction (one fsync) for every message that arrived while the previous one was written.
// The queue lives in its own database so that the relay's writes never wait behind a mail sync.
#pragma once

#include "tern/core/database.hpp"
#include "tern/mail/relay/smtp_server_session.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tern::mail::relay {

// Where a profile keeps the relay's spool (spool.db) and its certificate.
inline std::filesystem::path relay_folder(const std::filesystem::path& profile_dir) { return profile_dir / "relay"; }

struct SpooledMessage {
    std::int64_t id = 0;
    std::string queue_id;  // what the device's 250 said
    std::int64_t device_id = 0;
    Envelope envelope;
    std::string message;
    std::int64_t received_at = 0;   // Unix seconds
    int attempts = 0;
    std::int64_t next_attempt = 0;  // Unix seconds
    std::optional<std::string> last_error;
    bool failed = false;            // refused for good: kept for the admin to see, never retried
};

struct SpoolCounts {
    std::int64_t queued = 0;
    std::int64_t failed = 0;
};

class RelaySpool {
public:
    // The queue id, or nullopt when the message could not be stored.
    using Accepted = std::function<void(std::optional<std::string> queue_id)>;

    // Opens (creates) `file`. Throws tern::Error (Storage) naming it.
    explicit RelaySpool(std::filesystem::path file);
    ~RelaySpool();
    RelaySpool(const RelaySpool&) = delete;
    RelaySpool& operator=(const RelaySpool&) = delete;

    // Queues the message for the committer thread; `done` runs on that thread after the commit.
    void accept(const RelayIdentity& device, Envelope envelope, std::string message, Accepted done);
    // Called after each group commit with the devices and how many messages each got.
    void on_committed(std::function<void(const std::vector<std::pair<std::int64_t, int>>&)> callback);

    // For the forwarder (its own connection): messages due at `now`, oldest first, except those of
    // the devices in `skip`; without their text (message_text() reads it when it is sent).
    std::vector<SpooledMessage> due(std::int64_t now, int limit, const std::vector<std::int64_t>& skip = {});
    std::string message_text(std::int64_t id);
    // The earliest next_attempt of a queued message of a device not in `skip`, if any.
    std::optional<std::int64_t> next_due(const std::vector<std::int64_t>& skip = {});
    void remove(std::int64_t id);
    // Each in one transaction (one fsync) however many messages: a device whose upstream is away
    // defers its whole queue at once instead of fighting the committer for the write lock.
    void defer(const std::vector<std::int64_t>& ids, std::int64_t next_attempt, const std::string& why);
    void mark_failed(const std::vector<std::int64_t>& ids, const std::string& why);
    SpoolCounts counts(std::optional<std::int64_t> device_id = std::nullopt);
    std::vector<SpooledMessage> list(std::optional<std::int64_t> device_id = std::nullopt);
    // How many group commits there have been: take it before looking at the spool, then
    // wait_for_work() returns at once if a commit came in between.
    std::uint64_t commit_count();
    // Blocks until a commit after `seen`, `deadline`, or wake().
    void wait_for_work(std::uint64_t seen, std::chrono::steady_clock::time_point deadline);
    void wake();

    const std::filesystem::path& file() const { return file_; }

private:
    struct Incoming {
        RelayIdentity device;
        Envelope envelope;
        std::string message;
        Accepted done;
    };
    void commit_loop();
    void commit(std::deque<Incoming>& batch);

    std::filesystem::path file_;
    Database writer_;  // the committer thread's connection
    Database reader_;  // the forwarder's connection
    std::mutex reader_mutex_;

    std::mutex mutex_;
    std::condition_variable incoming_cv_;
    std::condition_variable work_cv_;
    std::deque<Incoming> incoming_;
    std::uint64_t commits_ = 0;
    bool woken_ = false;
    bool stopping_ = false;
    std::function<void(const std::vector<std::pair<std::int64_t, int>>&)> on_committed_;
    std::thread committer_;
};

}  // namespace tern::mail::relay
