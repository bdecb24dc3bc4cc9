// Parsing what a token endpoint answers: a grant on success, a structured error otherwise.
#pragma once

#include "tern/auth/http_client.hpp"
#include "tern/core/secret.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tern::auth {

using Clock = std::chrono::system_clock;

struct TokenGrant {
    Secret access_token;
    std::optional<Secret> refresh_token;  // absent when offline_access was not granted
    Clock::time_point expires_at;
    std::string scope;
};

// An OAuth error answer (RFC 6749 §5.2, RFC 8628 §3.5) with Microsoft's extras.
struct TokenEndpointError {
    long http_status = 0;
    std::string error;               // invalid_grant, authorization_pending, ...
    std::string description;         // "AADSTS50173: The provided grant has expired ..."
    std::vector<long> error_codes;   // Microsoft's AADSTS numbers
    std::optional<long> retry_after_seconds;  // from the Retry-After header

    // The first AADSTS code, from error_codes or else from the description; 0 when none.
    long aadsts() const;
};

// Throws tern::Error (Protocol) when a 2xx body is not a usable grant.
TokenGrant parse_token_grant(const HttpResponse& response, Clock::time_point now);

// The error in a non-2xx answer; a body that is not OAuth JSON still gives error "" with the status.
TokenEndpointError parse_token_error(const HttpResponse& response);

}  // namespace tern::auth
