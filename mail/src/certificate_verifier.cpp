#include "certificate_verifier.hpp"
#include "tern/core/text.hpp"

#include <vmime/security/cert/X509Certificate.hpp>
#include <vmime/security/cert/certificateChain.hpp>
#include <vmime/utility/outputStreamAdapter.hpp>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <algorithm>
#include <memory>
#include <sstream>

namespace tern::mail::detail {
namespace {

namespace cert = vmime::security::cert;

struct TrustList {
    gnutls_x509_trust_list_t list = nullptr;
    TrustList() { gnutls_x509_trust_list_init(&list, 0); }
    ~TrustList() { gnutls_x509_trust_list_deinit(list, 1); }
};

struct Certificates {
    std::vector<gnutls_x509_crt_t> crts;
    ~Certificates() {
        for (auto c : crts) gnutls_x509_crt_deinit(c);
    }
};

std::string der_of(const cert::X509Certificate& certificate) {
    std::ostringstream bytes;
    vmime::utility::outputStreamAdapter out(bytes);
    certificate.write(out, cert::X509Certificate::FORMAT_DER);
    return bytes.str();
}

std::string hex_fingerprint(const std::string& der) {
    unsigned char digest[32];
    size_t size = sizeof digest;
    const gnutls_datum_t data{reinterpret_cast<unsigned char*>(const_cast<char*>(der.data())),
                              static_cast<unsigned>(der.size())};
    if (gnutls_fingerprint(GNUTLS_DIG_SHA256, &data, digest, &size) != GNUTLS_E_SUCCESS) return {};
    return colon_hex(digest, size);
}

std::string subject_of(gnutls_x509_crt_t crt) {
    gnutls_datum_t dn{};
    if (gnutls_x509_crt_get_dn3(crt, &dn, 0) != GNUTLS_E_SUCCESS) return {};
    std::string out(reinterpret_cast<const char*>(dn.data), dn.size);
    gnutls_free(dn.data);
    return out;
}

// Plain words for the first reason GnuTLS gives; the full status goes to the detail.
std::string reason_of(unsigned status, const std::string& host) {
    if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
        return "the certificate is for another server, not " + host;
    if (status & GNUTLS_CERT_EXPIRED) return "the certificate has expired";
    if (status & GNUTLS_CERT_NOT_ACTIVATED) return "the certificate is not valid yet (check this computer's clock)";
    if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA))
        return "the certificate was issued by an authority this computer does not trust";
    if (status & GNUTLS_CERT_REVOKED) return "the certificate has been revoked";
    if (status & GNUTLS_CERT_INSECURE_ALGORITHM) return "the certificate uses an insecure algorithm";
    if (status & GNUTLS_CERT_PURPOSE_MISMATCH) return "the certificate is not meant for a server";
    return "the certificate could not be verified";
}

}  // namespace

CertificateVerifier::CertificateVerifier(TlsTrust trust) : trust_(std::move(trust)) {}

void CertificateVerifier::verify(vmime::shared_ptr<cert::certificateChain> chain, const vmime::string& hostname) {
    Certificates certificates;
    std::string fingerprint, subject;  // of the server's own certificate (the first)
    for (size_t i = 0; chain && i < chain->getCount(); ++i) {
        auto x509 = vmime::dynamicCast<cert::X509Certificate>(chain->getAt(i));
        if (!x509) continue;
        const auto der = der_of(*x509);
        gnutls_x509_crt_t crt = nullptr;
        gnutls_x509_crt_init(&crt);
        certificates.crts.push_back(crt);
        const gnutls_datum_t data{reinterpret_cast<unsigned char*>(const_cast<char*>(der.data())),
                                  static_cast<unsigned>(der.size())};
        if (gnutls_x509_crt_import(crt, &data, GNUTLS_X509_FMT_DER) != GNUTLS_E_SUCCESS)
            throw CertificateRejected("The server " + hostname + " sent a certificate Tern cannot read.",
                                      "gnutls_x509_crt_import failed", {}, {});
        if (i == 0) {
            fingerprint = hex_fingerprint(der);
            subject = subject_of(crt);
        }
    }
    if (certificates.crts.empty())
        throw CertificateRejected("The server " + hostname + " sent no certificate.", "empty chain", {}, {});

    // The person trusted exactly this certificate for this account: accept it as it is.
    if (std::find(trust_.pinned_sha256.begin(), trust_.pinned_sha256.end(), fingerprint) !=
        trust_.pinned_sha256.end())
        return;

    TrustList trusted;
    std::string detail;
    if (trust_.use_system_store) {
        const int added = gnutls_x509_trust_list_add_system_trust(trusted.list, 0, 0);
        if (added < 0) detail += "system trust store unavailable: " + std::string(gnutls_strerror(added)) + "; ";
    }
    if (!trust_.extra_ca_file.empty()) {
        const int added = gnutls_x509_trust_list_add_trust_file(trusted.list, trust_.extra_ca_file.c_str(), nullptr,
                                                                GNUTLS_X509_FMT_PEM, 0, 0);
        if (added <= 0)
            throw Error(ErrorCategory::TlsCertificate,
                        "Tern could not read the trusted certificate file " + trust_.extra_ca_file.string() +
                            " (TERN_CA_FILE). Fix or unset it.",
                        added < 0 ? gnutls_strerror(added) : "no certificate in the file");
    }

    gnutls_typed_vdata_st checks[2]{};
    checks[0].type = GNUTLS_DT_DNS_HOSTNAME;
    checks[0].data = reinterpret_cast<unsigned char*>(const_cast<char*>(hostname.c_str()));
    checks[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
    checks[1].data = reinterpret_cast<unsigned char*>(const_cast<char*>(GNUTLS_KP_TLS_WWW_SERVER));
    unsigned status = 0;
    const int rc = gnutls_x509_trust_list_verify_crt2(trusted.list, certificates.crts.data(),
                                                      static_cast<unsigned>(certificates.crts.size()), checks, 2, 0,
                                                      &status, nullptr);
    if (rc == GNUTLS_E_SUCCESS && status == 0) return;

    gnutls_datum_t words{};
    if (rc == GNUTLS_E_SUCCESS && gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &words, 0) == 0) {
        detail += std::string(reinterpret_cast<const char*>(words.data), words.size);
        gnutls_free(words.data);
    } else if (rc != GNUTLS_E_SUCCESS) {
        detail += gnutls_strerror(rc);
    }
    throw CertificateRejected("Tern did not connect to " + hostname + " because " + reason_of(status, hostname) +
                                  ". If you know this certificate is right (SHA-256 " + fingerprint +
                                  "), you can trust it for this account; otherwise someone may be intercepting "
                                  "the connection.",
                              detail + " (subject " + subject + ")", fingerprint, subject);
}

}  // namespace tern::mail::detail
