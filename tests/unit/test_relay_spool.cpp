// The relay's spool (mail/relay/relay_spool): what was accepted is on disk and survives a restart;
// group commits answer every waiting device; deferred and failed messages keep their reasons.
#include "temp_dir.hpp"

#include "tern/core/error.hpp"
#include "tern/mail/relay/relay_spool.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <ctime>
#include <fstream>
#include <limits>
#include <set>
#include <mutex>
#include <thread>

using tern::mail::relay::Envelope;
using tern::mail::relay::RelayIdentity;
using tern::mail::relay::RelaySpool;

namespace {

// Collects the spool's answers, which come on its committer thread.
struct Answers {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::optional<std::string>> ids;

    RelaySpool::Accepted callback() {
        return [this](std::optional<std::string> id) {
            std::lock_guard lock(mutex);
            ids.push_back(std::move(id));
            cv.notify_all();
        };
    }
    void wait_for(std::size_t n) {
        std::unique_lock lock(mutex);
        REQUIRE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return ids.size() >= n; }));
    }
};

const RelayIdentity printer{3, "printer", "scanner@example.test"};
const RelayIdentity fax{4, "fax", "fax@example.test"};

}  // namespace

TEST_CASE("relay spool: accepted messages are answered with queue ids and survive a restart", "[relay]") {
    tern::test::TempDir dir;
    const auto file = dir.path() / "spool.db";
    Answers answers;
    std::vector<std::pair<std::int64_t, int>> committed;
    {
        RelaySpool spool(file);
        std::mutex committed_mutex;
        spool.on_committed([&](const std::vector<std::pair<std::int64_t, int>>& per_device) {
            std::lock_guard lock(committed_mutex);
            committed.insert(committed.end(), per_device.begin(), per_device.end());
        });
        // Four devices' connections at once: every one is answered, each id once.
        std::vector<std::thread> clients;
        for (int t = 0; t < 4; ++t)
            clients.emplace_back([&, t] {
                for (int i = 0; i < 25; ++i)
                    spool.accept(t % 2 ? fax : printer,
                                 Envelope{(t % 2 ? fax : printer).mailbox, {"bob@example.test"}},
                                 "Subject: " + std::to_string(t) + "-" + std::to_string(i) + "\r\n\r\nbody\r\n",
                                 answers.callback());
            });
        for (auto& c : clients) c.join();
        answers.wait_for(100);
    }  // the spool closes here: what follows reads a fresh one from the same file
    std::set<std::string> unique;
    for (const auto& id : answers.ids) {
        REQUIRE(id.has_value());
        unique.insert(*id);
    }
    CHECK(unique.size() == 100);
    int counted = 0;
    for (const auto& [device, n] : committed) counted += n;
    CHECK(counted == 100);

    RelaySpool reopened(file);
    CHECK(reopened.counts().queued == 100);
    CHECK(reopened.counts(fax.device_id).queued == 50);
    const auto due = reopened.due(std::numeric_limits<std::int64_t>::max() / 2, 1000);
    REQUIRE(due.size() == 100);
    CHECK(due.front().envelope.recipients == std::vector<std::string>{"bob@example.test"});
    CHECK(reopened.message_text(due.front().id).find("\r\n\r\nbody\r\n") != std::string::npos);
    CHECK(unique.count(due.front().queue_id) == 1);  // the id the device heard names the same message
}

TEST_CASE("relay spool: deferred messages wait, failed ones stay visible and are not retried", "[relay]") {
    tern::test::TempDir dir;
    RelaySpool spool(dir.path() / "spool.db");
    Answers answers;
    for (int i = 0; i < 3; ++i)
        spool.accept(printer, Envelope{printer.mailbox, {"bob@example.test"}}, "m" + std::to_string(i),
                     answers.callback());
    answers.wait_for(3);
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    auto due = spool.due(now, 10);
    REQUIRE(due.size() == 3);

    spool.defer({due[0].id}, now + 60, "451 4.3.0 try later");
    spool.mark_failed({due[1].id}, "550 5.1.1 no such user");
    spool.remove(due[2].id);

    CHECK(spool.due(now, 10).empty());
    CHECK(spool.next_due() == now + 60);
    const auto later = spool.due(now + 60, 10);
    REQUIRE(later.size() == 1);
    CHECK(later[0].attempts == 1);
    CHECK(later[0].last_error == "451 4.3.0 try later");
    CHECK(spool.counts().queued == 1);
    CHECK(spool.counts().failed == 1);
    const auto all = spool.list();
    REQUIRE(all.size() == 2);
    CHECK(all[1].failed);
    CHECK(all[1].last_error == "550 5.1.1 no such user");
}

TEST_CASE("relay spool: a file that cannot be a database is refused, naming it", "[relay]") {
    tern::test::TempDir dir;
    const auto file = dir.path() / "spool.db";
    {
        std::ofstream junk(file);
        junk << "this is not an SQLite database, and it is long enough to have a header page";
    }
    try {
        RelaySpool spool(file);
        FAIL("a damaged spool was opened");
    } catch (const tern::Error& e) {
        CHECK(e.category() == tern::ErrorCategory::Storage);
        CHECK(e.message().find(file.string()) != std::string::npos);
    }
}
