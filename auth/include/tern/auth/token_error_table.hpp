// The one table that turns a token endpoint's error (RFC 6749/8628 error + Microsoft AADSTS code)
// into an error category a program acts on and a message a person acts on.
#pragma once

#include "tern/auth/token_response.hpp"
#include "tern/core/error.hpp"

#include <string>
#include <vector>

namespace tern::auth {

struct TokenErrorRule {
    const char* error;   // OAuth error code; "" matches any
    long aadsts;         // Microsoft code; 0 matches any
    ErrorCategory category;
    // May use {account}, {tenant}, {client_id}, {admin_consent_url}, {retry_after}.
    const char* message;
};

// In match order: the first rule whose error and code both match wins.
const std::vector<TokenErrorRule>& token_error_table();

struct TokenErrorContext {
    std::string account;  // email address, for messages
    std::string tenant;
    std::string client_id;
    std::string admin_consent_url;
};

// Never returns the rule for success: `error` must be a failed answer.
Error classify_token_error(const TokenEndpointError& error, const TokenErrorContext& context);

}  // namespace tern::auth
