// SASL strings for OAuth bearer tokens: XOAUTH2 (Google/Microsoft) and OAUTHBEARER (RFC 7628),
// and the server's JSON error challenge. Every string built here is remembered by the redaction
// layer, because it carries the token.
#pragma once

#include "tern/core/secret.hpp"

#include <optional>
#include <string>

namespace tern {

// "user=<user>^Aauth=Bearer <token>^A^A", the XOAUTH2 client message before base64.
Secret xoauth2_client_message(const std::string& user, const Secret& access_token);
// base64 of xoauth2_client_message().
Secret xoauth2_initial_response(const std::string& user, const Secret& access_token);

// "n,a=<user>,^Ahost=<host>^Aport=<port>^Aauth=Bearer <token>^A^A" (RFC 7628) before base64; ',' and
// '=' in the user are escaped as RFC 5801 requires.
Secret oauthbearer_client_message(const std::string& user, const std::string& host, int port,
                                  const Secret& access_token);
// base64 of oauthbearer_client_message().
Secret oauthbearer_initial_response(const std::string& user, const std::string& host, int port,
                                    const Secret& access_token);

// What the server says when it refuses a token: base64 of {"status":"401","schemes":"bearer",
// "scope":"..."} (XOAUTH2) or {"status":"invalid_token",...} (OAUTHBEARER).
struct SaslErrorChallenge {
    std::string status;
    std::string schemes;
    std::string scope;
    std::string openid_configuration;
};

// nullopt when the text is not base64 JSON of that shape.
std::optional<SaslErrorChallenge> parse_sasl_error_challenge(const std::string& base64_text);

}  // namespace tern
