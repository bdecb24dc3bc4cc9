#include "tern/accounts/relay_credentials.hpp"

#include "tern/core/error.hpp"

#include <openssl/rand.h>

#include <string>

namespace tern::accounts {

Secret new_relay_password() {
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    constexpr unsigned symbols = 62, length = 24;
    constexpr unsigned unbiased_below = 256 - 256 % symbols;  // 248: every symbol equally likely
    std::string out;
    unsigned char bytes[32];
    while (out.size() < length) {
        if (RAND_bytes(bytes, sizeof bytes) != 1)
            throw Error(ErrorCategory::Internal, "Tern could not generate a password: the system gave no randomness.");
        for (unsigned char b : bytes)
            if (b < unbiased_below && out.size() < length) out += alphabet[b % symbols];
    }
    return Secret(std::move(out));
}

}  // namespace tern::accounts
