// Which TLS certificates a mail connection accepts: the system's trusted CAs, an extra CA file
// (TERN_CA_FILE), and certificates the person trusted explicitly, pinned by SHA-256 fingerprint.
#pragma once

#include "tern/core/error.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace tern::mail {

struct TlsTrust {
    bool use_system_store = true;
    std::filesystem::path extra_ca_file;                // empty: none
    std::vector<std::string> pinned_sha256;             // normalised with normalise_fingerprint()

    // System store plus TERN_CA_FILE when that is set.
    static TlsTrust from_environment();
};

// "AB:cd:..." or "abcd..." → "ab:cd:...": lower-case hex pairs joined by ':'. Throws
// tern::Error (BadInput) when the text is not 32 bytes of hex.
std::string normalise_fingerprint(const std::string& text);

// The server's certificate was not accepted. Carries what a person needs to decide whether to
// trust it anyway (the fingerprint is what they would pin).
class CertificateRejected : public Error {
public:
    CertificateRejected(std::string message, std::string detail, std::string sha256_fingerprint,
                        std::string subject)
        : Error(ErrorCategory::TlsCertificate, std::move(message), std::move(detail)),
          fingerprint_(std::move(sha256_fingerprint)),
          subject_(std::move(subject)) {}
    const std::string& fingerprint_sha256() const noexcept { return fingerprint_; }
    const std::string& subject() const noexcept { return subject_; }

private:
    std::string fingerprint_;
    std::string subject_;
};

}  // namespace tern::mail
