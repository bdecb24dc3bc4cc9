#include "tern/mail/relay/relay_certificate.hpp"

#include "tern/core/error.hpp"
#include "tern/core/text.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

namespace tern::mail::relay {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw Error(ErrorCategory::Storage,
                "The relay's certificate " + path.string() + " could not be " + what +
                    ". Check that the profile folder is writable, or delete the relay folder to make a new one.");
}

bool is_ip_address(const std::string& name) {
    unsigned char buffer[16];
    return inet_pton(AF_INET, name.c_str(), buffer) == 1 || inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

std::string fingerprint(X509* cert) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    X509_digest(cert, EVP_sha256(), digest, &length);
    return colon_hex(digest, length);
}

void write_pem(const std::filesystem::path& path, mode_t mode, const std::function<int(FILE*)>& write) {
    const auto temporary = path.string() + ".new";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) fail("written", path);
    FILE* file = ::fdopen(fd, "w");
    if (!file) {
        ::close(fd);
        fail("written", path);
    }
    const bool ok = write(file) == 1 && std::fflush(file) == 0 && ::fsync(fd) == 0;
    std::fclose(file);
    if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) fail("written", path);
}

Cert make_certificate(EVP_PKEY* key, const std::vector<std::string>& host_names) {
    Cert cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;  // a positive serial number
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    const std::string common_name = host_names.empty() ? "Tern device relay" : host_names.front();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Tern device relay"), -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);

    std::string alt_names;
    for (const auto& host : host_names) {
        if (!alt_names.empty()) alt_names += ',';
        alt_names += (is_ip_address(host) ? "IP:" : "DNS:") + host;
    }
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, alt_names},
                                     std::pair{NID_basic_constraints, std::string("critical,CA:FALSE")},
                                     std::pair{NID_ext_key_usage, std::string("serverAuth")}}) {
        X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        if (!extension) throw Error(ErrorCategory::Internal, "Tern could not make the relay's certificate.",
                                    "X509V3_EXT_conf_nid " + std::to_string(nid));
        X509_add_ext(cert.get(), extension, -1);
        X509_EXTENSION_free(extension);
    }
    if (X509_sign(cert.get(), key, EVP_sha256()) == 0)
        throw Error(ErrorCategory::Internal, "Tern could not sign the relay's certificate.");
    return cert;
}

Cert read_certificate(const std::filesystem::path& path) {
    FILE* file = std::fopen(path.c_str(), "r");
    if (!file) return nullptr;
    Cert cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
    std::fclose(file);
    return cert;
}

}  // namespace

RelayCertificate load_or_create_relay_certificate(const std::filesystem::path& dir,
                                                  const std::vector<std::string>& host_names) {
    RelayCertificate out{dir / "relay.crt", dir / "relay.key", {}};
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) fail("stored", dir);
    if (std::filesystem::exists(out.certificate_file) && std::filesystem::exists(out.key_file)) {
        Cert cert = read_certificate(out.certificate_file);
        if (!cert) fail("read", out.certificate_file);
        out.sha256_fingerprint = fingerprint(cert.get());
        return out;
    }
    std::vector<std::string> names = host_names;
    for (const char* always : {"localhost", "127.0.0.1"})
        if (std::find(names.begin(), names.end(), always) == names.end()) names.emplace_back(always);
    Key key(EVP_EC_gen("P-256"));
    if (!key) throw Error(ErrorCategory::Internal, "Tern could not make a key for the relay's certificate.");
    Cert cert = make_certificate(key.get(), names);
    // The key first, owner-only: a certificate is never on disk without its key.
    write_pem(out.key_file, 0600, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    write_pem(out.certificate_file, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
    out.sha256_fingerprint = fingerprint(cert.get());
    return out;
}

}  // namespace tern::mail::relay
