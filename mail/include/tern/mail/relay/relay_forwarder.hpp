// Takes spooled device mail upstream: one signed-in SMTP connection per device and pass, each
// message removed from the spool only after the server's 250. A temporary refusal or an outage
// keeps the message and retries it with exponential backoff (the server's "Suggested Backoff
// Time" honoured); a permanent refusal, or days of failures, marks it failed where the admin sees
// it. A device whose sign-in is gone keeps its mail until it signs in again.
//
// A device that cannot reach its provider is held (in memory) until its next try: its queue is
// deferred in one write, and what it sends meanwhile is stored and not touched again, so that an
// outage costs the spool nothing per message and never slows the 250s the devices wait for.
#pragma once

#include "tern/core/cancellation.hpp"
#include "tern/mail/relay/relay_directory.hpp"
#include "tern/mail/relay/relay_spool.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <thread>

namespace tern::mail::relay {

struct ForwarderSettings {
    std::chrono::seconds first_retry{30};
    std::chrono::seconds max_retry{3600};
    std::chrono::seconds max_queue_age{5 * 24 * 3600};  // then failed, as Postfix's default
    int batch = 50;                                     // messages per pass and connection
};

class RelayForwarder {
public:
    RelayForwarder(RelaySpool& spool, RelayDirectory& directory, ForwarderSettings settings = {});
    ~RelayForwarder();
    RelayForwarder(const RelayForwarder&) = delete;
    RelayForwarder& operator=(const RelayForwarder&) = delete;

    // Runs passes on a thread of its own: whenever something is committed or falls due.
    void start();
    // Cancels the connection in progress and joins the thread. Messages in flight stay spooled.
    void stop();

    // One pass over what is due at `now` (Unix seconds); returns how many were delivered.
    int deliver_due(std::int64_t now);

    // The delay before attempt number `attempts + 1`.
    std::chrono::seconds retry_delay(int attempts) const;

    // The devices held at `now` because their upstream was away at the last try.
    std::vector<std::int64_t> held_devices(std::int64_t now) const;

private:
    struct Hold {
        std::int64_t until = 0;  // Unix seconds
        int failures = 0;        // tries in a row that could not reach the provider
    };

    void run();
    void deliver_device(std::int64_t device_id, const std::vector<const SpooledMessage*>& messages,
                        std::int64_t now, int& delivered);
    // Holds the device and defers `messages` (those too old fail instead) in one write each.
    void hold(std::int64_t device_id, const std::vector<const SpooledMessage*>& messages, std::int64_t now,
              const Error& why);
    void defer(const SpooledMessage& message, std::int64_t now, const Error& why,
               std::optional<std::chrono::seconds> server_backoff);
    bool too_old(const SpooledMessage& message, std::int64_t now) const;
    void fail_too_old(const std::vector<const SpooledMessage*>& messages, const Error& why);

    RelaySpool& spool_;
    RelayDirectory& directory_;
    ForwarderSettings settings_;
    std::shared_ptr<CancelToken> cancel_ = std::make_shared<CancelToken>();
    std::thread thread_;
    std::map<std::int64_t, Hold> holds_;  // the forwarder's thread only
};

}  // namespace tern::mail::relay
