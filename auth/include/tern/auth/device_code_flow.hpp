// The OAuth 2.0 device authorization grant (RFC 8628): get a code, let a person enter it on any
// device with a browser, poll until they did. Used by account sign-in without a browser and by the
// devices pane for printers and scanners.
#pragma once

#include "tern/auth/token_endpoint.hpp"

#include <functional>

namespace tern::auth {

struct DeviceFlowProgress {
    std::chrono::seconds interval;      // the current polling interval
    std::chrono::seconds remaining;     // until the code expires
    int polls = 0;
};

// Polls until the person signed in (returns the grant) or the flow ends: declined (Cancelled),
// the code expired (Timeout), `cancel` (Cancelled), or any other classified token error.
// `authorization_pending` keeps polling; `slow_down` adds 5 seconds to the interval for good.
TokenGrant wait_for_device_grant(TokenEndpoint& endpoint, const DeviceAuthorization& authorization,
                                 const CancelToken& cancel,
                                 const std::function<void(const DeviceFlowProgress&)>& on_progress = {});

}  // namespace tern::auth
