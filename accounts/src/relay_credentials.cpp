#include "tern/accounts/relay_credentials.hpp"

#include "tern/core/error.hpp"

#include <openssl/rand.h>

#include <string>

namespace tern::accounts {

Secret new_relay_password() {
    unsigned char bytes[18];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw Error(ErrorCategory::Internal, "Tern could not generate a password: the system gave no randomness.");
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    for (std::size_t i = 0; i < sizeof bytes; i += 3) {
        const unsigned v = (unsigned(bytes[i]) << 16) | (unsigned(bytes[i + 1]) << 8) | bytes[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(v >> shift) & 63];
    }
    return Secret(std::move(out));
}

}  // namespace tern::accounts
