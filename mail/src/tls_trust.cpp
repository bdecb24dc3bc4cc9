#include "tern/mail/tls_trust.hpp"

#include <cctype>
#include <cstdlib>

namespace tern::mail {

TlsTrust TlsTrust::from_environment() {
    TlsTrust trust;
    if (const char* file = std::getenv("TERN_CA_FILE"); file && *file) trust.extra_ca_file = file;
    return trust;
}

std::string normalise_fingerprint(const std::string& text) {
    std::string hex;
    for (char c : text) {
        if (c == ':' || c == ' ') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
            hex.clear();
            break;
        }
        hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (hex.size() != 64)
        throw Error(ErrorCategory::BadInput,
                    "\"" + text + "\" is not a SHA-256 certificate fingerprint (32 bytes in hex, e.g. ab:cd:...).");
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        if (i) out += ':';
        out += hex.substr(i, 2);
    }
    return out;
}

}  // namespace tern::mail
