// Proof Key for Code Exchange (RFC 7636), S256 only: a public client proves that the one
// redeeming the code is the one that asked for it.
#pragma once

#include <string>

namespace tern::auth {

struct Pkce {
    std::string verifier;   // 43 characters of base64url from 32 random bytes
    std::string challenge;  // base64url(SHA-256(verifier))
    static constexpr const char* method = "S256";
};

Pkce make_pkce();
std::string pkce_challenge(const std::string& verifier);

// A random value for the `state` parameter (and other single-use nonces): base64url of 16 bytes.
std::string random_url_token(std::size_t bytes = 16);

}  // namespace tern::auth
