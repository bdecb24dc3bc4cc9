// The relay's own TLS certificate: made once (EC P-256, self-signed, ten years: a printer's admin
// should not have to renew anything), kept in the profile's relay folder with the key readable by
// the owner only, and identified by its SHA-256 fingerprint, which the admin compares with what the
// device shows before trusting it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tern::mail::relay {

struct RelayCertificate {
    std::filesystem::path certificate_file;  // PEM
    std::filesystem::path key_file;          // PEM, mode 0600
    std::string sha256_fingerprint;          // "ab:cd:..." as colon_hex shows it
};

// Loads the certificate in `dir` (relay.crt, relay.key), or makes one naming `host_names` (DNS
// names or IP addresses; "localhost" and 127.0.0.1 are always added). Throws tern::Error
// (Storage) when the files cannot be written or read.
RelayCertificate load_or_create_relay_certificate(const std::filesystem::path& dir,
                                                  const std::vector<std::string>& host_names);

}  // namespace tern::mail::relay
