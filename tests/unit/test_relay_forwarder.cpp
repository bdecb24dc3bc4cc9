// The relay's forwarder (mail/relay/relay_forwarder) when a device's provider cannot be reached:
// the device is held until its next try, its queue is deferred in one write, what it sends while
// held is not touched, the holds back off, and mail older than the queue's age limit fails.
#include "temp_dir.hpp"

#include "tern/core/error.hpp"
#include "tern/mail/relay/relay_forwarder.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>

using namespace tern::mail::relay;

namespace {

class UnreachableDirectory final : public RelayDirectory {
public:
    std::optional<RelayIdentity> authenticate(std::string_view, const tern::Secret&) override { return std::nullopt; }
    tern::mail::ConnectionOptions upstream(std::int64_t device_id) override {
        ++upstream_calls[device_id];
        throw tern::Error(tern::ErrorCategory::Network, "The provider cannot be reached (test).");
    }
    void spooled(std::int64_t, int) override {}
    void delivered(std::int64_t) override {}
    void failed(std::int64_t device_id, const std::string&) override { ++failures[device_id]; }
    void deferred(std::int64_t device_id, const tern::Error&) override { ++deferrals[device_id]; }
    std::map<std::int64_t, int> upstream_calls, failures, deferrals;
};

void spool_messages(RelaySpool& spool, const RelayIdentity& device, int n) {
    std::mutex mutex;
    std::condition_variable cv;
    int answered = 0;
    for (int i = 0; i < n; ++i)
        spool.accept(device, Envelope{device.mailbox, {"bob@example.test"}}, "Subject: scan\r\n\r\npage\r\n",
                     [&](std::optional<std::string> id) {
                         REQUIRE(id);
                         std::lock_guard lock(mutex);
                         ++answered;
                         cv.notify_all();
                     });
    std::unique_lock lock(mutex);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return answered == n; }));
}

std::map<int, int> attempts_histogram(RelaySpool& spool, std::int64_t device_id) {
    std::map<int, int> out;
    for (const auto& m : spool.list(device_id)) ++out[m.attempts];
    return out;
}

}  // namespace

TEST_CASE("relay forwarder: a device whose provider is away is held, and what it sends meanwhile is not touched",
          "[relay]") {
    tern::test::TempDir dir;
    RelaySpool spool(dir.path() / "spool.db");
    UnreachableDirectory directory;
    ForwarderSettings settings;
    settings.first_retry = std::chrono::seconds(30);
    RelayForwarder forwarder(spool, directory, settings);  // never started: the test runs its passes
    const RelayIdentity mfp{9, "mfp", "mfp@example.test"};
    const RelayIdentity fax{10, "fax", "fax@example.test"};
    const auto now = static_cast<std::int64_t>(std::time(nullptr));

    spool_messages(spool, mfp, 3);
    spool_messages(spool, fax, 2);
    CHECK(forwarder.deliver_due(now) == 0);
    CHECK(directory.upstream_calls == std::map<std::int64_t, int>{{9, 1}, {10, 1}});
    CHECK(forwarder.held_devices(now) == std::vector<std::int64_t>{9, 10});
    for (const auto& m : spool.list()) {
        CHECK(m.attempts == 1);
        CHECK(m.next_attempt == now + 30);
        CHECK(m.last_error == "The provider cannot be reached (test).");
    }

    // The printer keeps scanning while it is held: its new mail waits, no new try, no write.
    spool_messages(spool, mfp, 4);
    CHECK(forwarder.deliver_due(now + 1) == 0);
    CHECK(directory.upstream_calls[9] == 1);
    CHECK(attempts_histogram(spool, 9) == std::map<int, int>{{0, 4}, {1, 3}});
    CHECK(spool.next_due(forwarder.held_devices(now + 1)) == std::nullopt);
    CHECK(spool.next_due() == now);  // due, but held

    // The hold ends: everything of the device is tried on one connection; the next hold doubles.
    CHECK(forwarder.deliver_due(now + 30) == 0);
    CHECK(directory.upstream_calls == std::map<std::int64_t, int>{{9, 2}, {10, 2}});
    CHECK(attempts_histogram(spool, 9) == std::map<int, int>{{1, 4}, {2, 3}});
    for (const auto& m : spool.list()) CHECK(m.next_attempt == now + 30 + 60);
    CHECK(forwarder.held_devices(now + 89) == std::vector<std::int64_t>{9, 10});
    CHECK(forwarder.held_devices(now + 90).empty());
    CHECK(directory.deferrals == std::map<std::int64_t, int>{{9, 2}, {10, 2}});
    CHECK(directory.failures.empty());
    CHECK(spool.counts().queued == 9);
}

TEST_CASE("relay forwarder: mail that could not be delivered for the queue's age limit fails, visibly", "[relay]") {
    tern::test::TempDir dir;
    RelaySpool spool(dir.path() / "spool.db");
    UnreachableDirectory directory;
    ForwarderSettings settings;
    settings.max_queue_age = std::chrono::hours(120);
    RelayForwarder forwarder(spool, directory, settings);
    const RelayIdentity mfp{9, "mfp", "mfp@example.test"};
    const auto now = static_cast<std::int64_t>(std::time(nullptr));

    spool_messages(spool, mfp, 2);
    forwarder.deliver_due(now + 120 * 3600);
    CHECK(spool.counts().queued == 0);
    CHECK(spool.counts().failed == 2);
    CHECK(directory.failures[9] == 2);
    for (const auto& m : spool.list()) {
        CHECK(m.failed);
        CHECK(m.last_error ==
              "The relay could not deliver this message for 120 hours and gave up: The provider cannot be reached (test).");
    }
}
