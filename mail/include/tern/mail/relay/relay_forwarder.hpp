// Takes spooled device mail upstream: one signed-in SMTP connection per device and pass, each
// message removed from the spool only after the server's 250. A temporary refusal or an outage
// keeps the message and retries it with exponential backoff (the server's "Suggested Backoff
// Time" honoured); a permanent refusal, or days of failures, marks it failed where the admin sees
// it. A device whose sign-in is gone keeps its mail until it signs in again.
#pragma once

#include "tern/core/cancellation.hpp"
#include "tern/mail/relay/relay_directory.hpp"
#include "tern/mail/relay/relay_spool.hpp"

#include <chrono>
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

private:
    void run();
    void deliver_device(std::int64_t device_id, const std::vector<const SpooledMessage*>& messages,
                        std::int64_t now, int& delivered);
    void defer(const SpooledMessage& message, std::int64_t now, const Error& why,
               std::optional<std::chrono::seconds> server_backoff = std::nullopt);

    RelaySpool& spool_;
    RelayDirectory& directory_;
    ForwarderSettings settings_;
    std::shared_ptr<CancelToken> cancel_ = std::make_shared<CancelToken>();
    std::thread thread_;
};

}  // namespace tern::mail::relay
