#include "tern/auth/device_code_flow.hpp"

#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>

namespace tern::auth {
namespace {

constexpr std::chrono::seconds slow_down_step{5};  // RFC 8628 §3.5

[[noreturn]] void expired() {
    throw Error(ErrorCategory::Timeout,
                "The sign-in code expired before anyone entered it. Start the sign-in again to get a new code.",
                "device code expired locally");
}

}  // namespace

TokenGrant wait_for_device_grant(TokenEndpoint& endpoint, const DeviceAuthorization& authorization,
                                 const CancelToken& cancel,
                                 const std::function<void(const DeviceFlowProgress&)>& on_progress) {
    DeviceFlowProgress progress{authorization.interval, {}, 0};
    for (;;) {
        const auto now = endpoint.now();
        if (now >= authorization.expires_at) expired();
        progress.remaining = std::chrono::duration_cast<std::chrono::seconds>(authorization.expires_at - now);
        if (on_progress) on_progress(progress);
        // Never wait past the expiry: the last poll happens just before the code dies.
        const auto until_expiry = std::chrono::duration_cast<std::chrono::milliseconds>(authorization.expires_at - now);
        const auto wait = std::min<std::chrono::milliseconds>(progress.interval, until_expiry);
        if (!cancel.wait_for(wait)) cancel.throw_if_cancelled();

        ++progress.polls;
        auto result = endpoint.poll_device_code(authorization, &cancel);
        if (auto* grant = std::get_if<TokenGrant>(&result)) {
            spdlog::info("device code sign-in completed after {} poll(s)", progress.polls);
            return std::move(*grant);
        }
        if (std::holds_alternative<PollSlowDown>(result)) {
            progress.interval += slow_down_step;
            spdlog::info("device code: slow_down, polling every {} s now", progress.interval.count());
        }
    }
}

}  // namespace tern::auth
