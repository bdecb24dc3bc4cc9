// vmime's certificate check, done by GnuTLS's full verifier (vmime's own knows no system CAs and
// only a simple chain walk): system store + extra CA file, host name, validity, key usage; then
// the person's pinned fingerprints as explicit exceptions.
#pragma once

#include "tern/mail/tls_trust.hpp"

#include <vmime/security/cert/certificateVerifier.hpp>

namespace tern::mail::detail {

class CertificateVerifier final : public vmime::security::cert::certificateVerifier {
public:
    explicit CertificateVerifier(TlsTrust trust);
    // Throws CertificateRejected (a tern::Error) when the chain is not accepted.
    void verify(vmime::shared_ptr<vmime::security::cert::certificateChain> chain,
                const vmime::string& hostname) override;

private:
    TlsTrust trust_;
};

}  // namespace tern::mail::detail
