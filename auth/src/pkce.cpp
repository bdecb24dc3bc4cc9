#include "tern/auth/pkce.hpp"

#include "tern/core/base64.hpp"
#include "tern/core/error.hpp"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <vector>

namespace tern::auth {

std::string random_url_token(std::size_t bytes) {
    std::vector<unsigned char> buffer(bytes);
    if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1)
        throw Error(ErrorCategory::Internal, {}, "RAND_bytes failed");
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(buffer.data()), buffer.size()));
}

std::string pkce_challenge(const std::string& verifier) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

Pkce make_pkce() {
    Pkce pkce;
    pkce.verifier = random_url_token(32);
    pkce.challenge = pkce_challenge(pkce.verifier);
    return pkce;
}

}  // namespace tern::auth
