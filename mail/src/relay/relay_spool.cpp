#include "tern/mail/relay/relay_spool.hpp"

#include "tern/core/error.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>
#include <map>

namespace tern::mail::relay {
namespace {

constexpr std::size_t max_batch_messages = 256;
constexpr std::size_t max_batch_bytes = 64 * 1024 * 1024;

Database open_spool(const std::filesystem::path& file) {
    Database db(file, Database::Mode::ReadWriteCreate);
    if (db.query_text("PRAGMA journal_mode = WAL") != "wal")
        throw Error(ErrorCategory::Storage, "The relay spool " + file.string() + " cannot use write-ahead logging.");
    // FULL: a commit is on the disk (the WAL fsynced) before the device is told 250.
    db.exec("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;");
    return db;
}

void create_schema(Database& db) {
    db.exec(R"sql(
        CREATE TABLE IF NOT EXISTS spool (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            device_id INTEGER NOT NULL,
            sender TEXT NOT NULL,
            recipients TEXT NOT NULL,
            message BLOB NOT NULL,
            received_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt INTEGER NOT NULL,
            last_error TEXT,
            failed INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS spool_due ON spool(failed, next_attempt);
        CREATE INDEX IF NOT EXISTS spool_device ON spool(device_id);
    )sql");
}

std::string queue_id_for(std::int64_t id, std::int64_t received_at) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%llX%06llX", static_cast<unsigned long long>(received_at),
                  static_cast<unsigned long long>(id));
    return buffer;
}

// Everything but the message text, which only the forwarder reads, one message at a time.
constexpr const char* select_columns =
    "SELECT id, device_id, sender, recipients, received_at, attempts, next_attempt, last_error, failed FROM spool ";

SpooledMessage read_row(Statement& st) {
    SpooledMessage m;
    m.id = st.column_int(0);
    m.device_id = st.column_int(1);
    m.envelope.sender = st.column_text(2);
    for (const auto& r : nlohmann::json::parse(st.column_text(3))) m.envelope.recipients.push_back(r.get<std::string>());
    m.received_at = st.column_int(4);
    m.attempts = static_cast<int>(st.column_int(5));
    m.next_attempt = st.column_int(6);
    m.last_error = st.column_optional_text(7);
    m.failed = st.column_int(8) != 0;
    m.queue_id = queue_id_for(m.id, m.received_at);
    return m;
}

std::string json_ids(const std::vector<std::int64_t>& ids) { return nlohmann::json(ids).dump(); }

}  // namespace

RelaySpool::RelaySpool(std::filesystem::path file)
    : file_(std::move(file)), writer_(open_spool(file_)), reader_((create_schema(writer_), open_spool(file_))) {
    committer_ = std::thread([this] { commit_loop(); });
}

RelaySpool::~RelaySpool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    incoming_cv_.notify_all();
    work_cv_.notify_all();
    committer_.join();
}

void RelaySpool::accept(const RelayIdentity& device, Envelope envelope, std::string message, Accepted done) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            incoming_.push_back({device, std::move(envelope), std::move(message), std::move(done)});
            incoming_cv_.notify_one();
            return;
        }
    }
    done(std::nullopt);
}

void RelaySpool::on_committed(std::function<void(const std::vector<std::pair<std::int64_t, int>>&)> callback) {
    std::lock_guard lock(mutex_);
    on_committed_ = std::move(callback);
}

void RelaySpool::commit_loop() {
    std::unique_lock lock(mutex_);
    while (true) {
        incoming_cv_.wait(lock, [this] { return stopping_ || !incoming_.empty(); });
        if (incoming_.empty() && stopping_) return;
        // Everything that arrived while the last commit ran goes into this one.
        std::deque<Incoming> batch;
        std::size_t bytes = 0;
        while (!incoming_.empty() && batch.size() < max_batch_messages && bytes < max_batch_bytes) {
            bytes += incoming_.front().message.size();
            batch.push_back(std::move(incoming_.front()));
            incoming_.pop_front();
        }
        lock.unlock();
        commit(batch);
        lock.lock();
    }
}

void RelaySpool::commit(std::deque<Incoming>& batch) {
    std::vector<std::optional<std::string>> queue_ids(batch.size());
    std::map<std::int64_t, int> per_device;
    try {
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        Transaction tx(writer_);
        auto insert = writer_.prepare(
            "INSERT INTO spool(device_id, sender, recipients, message, received_at, next_attempt) VALUES(?,?,?,?,?,?)");
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const auto& in = batch[i];
            insert.bind(1, in.device.device_id)
                .bind(2, in.envelope.sender)
                .bind(3, nlohmann::json(in.envelope.recipients).dump())
                .bind(4, in.message)
                .bind(5, now)
                .bind(6, now);
            insert.run();
            insert.reset();
            queue_ids[i] = queue_id_for(writer_.last_insert_rowid(), now);
            ++per_device[in.device.device_id];
        }
        tx.commit();
    } catch (const Error& e) {
        spdlog::error("relay: the spool could not store {} message(s): {}", batch.size(), e.log_line());
        for (auto& id : queue_ids) id.reset();
        per_device.clear();
    }
    std::function<void(const std::vector<std::pair<std::int64_t, int>>&)> callback;
    {
        std::lock_guard lock(mutex_);
        callback = on_committed_;
    }
    // The counters first, so that a device that heard 250 finds its message counted.
    if (callback && !per_device.empty()) callback({per_device.begin(), per_device.end()});
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(queue_ids[i]);
    {
        std::lock_guard lock(mutex_);
        ++commits_;
    }
    work_cv_.notify_all();
}

std::vector<SpooledMessage> RelaySpool::due(std::int64_t now, int limit, const std::vector<std::int64_t>& skip) {
    std::lock_guard lock(reader_mutex_);
    auto st = reader_.prepare(std::string(select_columns) +
                              "WHERE failed = 0 AND next_attempt <= ? "
                              "AND device_id NOT IN (SELECT value FROM json_each(?)) ORDER BY next_attempt, id LIMIT ?");
    st.bind(1, now).bind(2, json_ids(skip)).bind(3, static_cast<std::int64_t>(limit));
    std::vector<SpooledMessage> out;
    while (st.step()) out.push_back(read_row(st));
    return out;
}

std::string RelaySpool::message_text(std::int64_t id) {
    std::lock_guard lock(reader_mutex_);
    auto st = reader_.prepare("SELECT message FROM spool WHERE id = ?");
    st.bind(1, id);
    if (!st.step())
        throw Error(ErrorCategory::Storage, "The relay spool " + file_.string() + " no longer has message " +
                                                std::to_string(id) + ".");
    return st.column_text(0);
}

std::optional<std::int64_t> RelaySpool::next_due(const std::vector<std::int64_t>& skip) {
    std::lock_guard lock(reader_mutex_);
    auto st = reader_.prepare(
        "SELECT MIN(next_attempt) FROM spool WHERE failed = 0 AND device_id NOT IN (SELECT value FROM json_each(?))");
    st.bind(1, json_ids(skip));
    st.step();
    return st.column_optional_int(0);
}

void RelaySpool::remove(std::int64_t id) {
    std::lock_guard lock(reader_mutex_);
    reader_.prepare("DELETE FROM spool WHERE id = ?").bind(1, id).run();
}

void RelaySpool::defer(const std::vector<std::int64_t>& ids, std::int64_t next_attempt, const std::string& why) {
    if (ids.empty()) return;
    std::lock_guard lock(reader_mutex_);
    reader_
        .prepare("UPDATE spool SET attempts = attempts + 1, next_attempt = ?, last_error = ? "
                 "WHERE id IN (SELECT value FROM json_each(?))")
        .bind(1, next_attempt)
        .bind(2, why)
        .bind(3, json_ids(ids))
        .run();
}

void RelaySpool::mark_failed(const std::vector<std::int64_t>& ids, const std::string& why) {
    if (ids.empty()) return;
    std::lock_guard lock(reader_mutex_);
    reader_
        .prepare("UPDATE spool SET attempts = attempts + 1, failed = 1, last_error = ? "
                 "WHERE id IN (SELECT value FROM json_each(?))")
        .bind(1, why)
        .bind(2, json_ids(ids))
        .run();
}

SpoolCounts RelaySpool::counts(std::optional<std::int64_t> device_id) {
    std::lock_guard lock(reader_mutex_);
    auto st = reader_.prepare(
        "SELECT COALESCE(SUM(failed = 0), 0), COALESCE(SUM(failed = 1), 0) FROM spool WHERE ?1 IS NULL OR device_id = ?1");
    st.bind(1, device_id);
    st.step();
    return {st.column_int(0), st.column_int(1)};
}

std::vector<SpooledMessage> RelaySpool::list(std::optional<std::int64_t> device_id) {
    std::lock_guard lock(reader_mutex_);
    auto st = reader_.prepare(std::string(select_columns) + "WHERE ?1 IS NULL OR device_id = ?1 ORDER BY id");
    st.bind(1, device_id);
    std::vector<SpooledMessage> out;
    while (st.step()) out.push_back(read_row(st));
    return out;
}

std::uint64_t RelaySpool::commit_count() {
    std::lock_guard lock(mutex_);
    return commits_;
}

void RelaySpool::wait_for_work(std::uint64_t seen, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    work_cv_.wait_until(lock, deadline, [&] { return stopping_ || woken_ || commits_ != seen; });
    woken_ = false;
}

void RelaySpool::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    work_cv_.notify_all();
}

}  // namespace tern::mail::relay
