// Autodetection with answers the tests give: DNS SRV answers from a fake resolver, and scripted
// mail servers on loopback with certificates made here (a throwaway CA the probes are told to
// trust, and a self-signed one nobody trusts). Names like imap.example.test reach 127.0.0.1
// through the host-address hook; the usual ports (993, 143, ...) through the port map.
#include "fake_mail_server.hpp"
#include "tern/core/text.hpp"
#include "temp_dir.hpp"

#include "tern/accounts/autodetect.hpp"
#include "tern/accounts/dns_srv.hpp"
#include "tern/accounts/provider_catalog.hpp"
#include "tern/core/error.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

using namespace tern;
using namespace tern::accounts;
using namespace std::chrono_literals;
using mail::MailProtocol;
using mail::TlsMode;
using tern::test::ClosedPort;
using tern::test::FakeMailServer;
using tern::test::MailScript;

namespace {

using Clock = std::chrono::steady_clock;

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// ---- certificates ----------------------------------------------------------------------------

EVP_PKEY* new_key() { return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); }

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    REQUIRE(ext != nullptr);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// A certificate for `key`, signed by `issuer_key` (itself when `issuer` is nullptr).
X509* new_certificate(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key, bool ca) {
    static long serial = 1;
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 7 * 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509* signer = issuer ? issuer : cert;
    if (ca) {
        add_extension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert, signer, NID_subject_alt_name, "DNS:*.example.test,DNS:example.test,DNS:localhost,IP:127.0.0.1");
        add_extension(cert, signer, NID_ext_key_usage, "serverAuth");
    }
    REQUIRE(X509_sign(cert, issuer_key, EVP_sha256()) > 0);
    return cert;
}

SSL_CTX* server_context(X509* cert, EVP_PKEY* key) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    REQUIRE(SSL_CTX_use_certificate(ctx, cert) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey(ctx, key) == 1);
    return ctx;
}

std::string fingerprint(X509* cert) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    X509_digest(cert, EVP_sha256(), digest, &size);
    return colon_hex(digest, size);
}

// Made once per test run; lives until the process ends.
struct Pki {
    tern::test::TempDir dir;
    std::filesystem::path ca_file;
    SSL_CTX* trusted = nullptr;    // leaf signed by the CA in ca_file
    SSL_CTX* untrusted = nullptr;  // self-signed, same names
    std::string untrusted_sha256;

    Pki() {
        EVP_PKEY* ca_key = new_key();
        X509* ca = new_certificate(ca_key, "Tern autodetect test CA", nullptr, ca_key, true);
        EVP_PKEY* key = new_key();
        X509* leaf = new_certificate(key, "imap.example.test", ca, ca_key, false);
        EVP_PKEY* other_key = new_key();
        X509* stranger = new_certificate(other_key, "imap.example.test", nullptr, other_key, false);
        trusted = server_context(leaf, key);
        untrusted = server_context(stranger, other_key);
        untrusted_sha256 = fingerprint(stranger);
        ca_file = dir / "ca.pem";
        FILE* out = std::fopen(ca_file.c_str(), "w");
        REQUIRE(out != nullptr);
        PEM_write_X509(out, ca);
        std::fclose(out);
        for (X509* c : {ca, leaf, stranger}) X509_free(c);
        for (EVP_PKEY* k : {ca_key, key, other_key}) EVP_PKEY_free(k);
    }
};

const Pki& pki() {
    static const Pki instance;
    return instance;
}

// ---- DNS -------------------------------------------------------------------------------------

class FakeDns final : public DnsResolver {
public:
    std::map<std::string, SrvAnswer> answers;  // anything else: no records
    std::chrono::milliseconds delay{0};

    SrvAnswer lookup_srv(const std::string& name, std::chrono::milliseconds) override {
        {
            std::lock_guard lock(mutex_);
            asked_.push_back(name);
        }
        if (delay.count() > 0) std::this_thread::sleep_for(delay);
        const auto it = answers.find(name);
        return it != answers.end() ? it->second : SrvAnswer{};
    }
    std::vector<std::string> asked() const {
        std::lock_guard lock(mutex_);
        return asked_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> asked_;
};

SrvAnswer found(std::vector<SrvRecord> records) { return {SrvAnswer::Status::Found, std::move(records), {}}; }

// Options that reach only what a test sets up: fake DNS, loopback names, the test CA.
AutodetectOptions test_options(std::shared_ptr<FakeDns> dns, std::vector<std::string> hosts = {"imap.example.test"}) {
    AutodetectOptions options;
    options.dns = std::move(dns);
    options.trust.use_system_store = false;
    options.trust.extra_ca_file = pki().ca_file;
    options.trust.pinned_sha256.clear();
    options.probe_timeout = 5s;  // servers that answer do so at once; only silent ones take this long
    options.random_seed = 7;
    for (const auto& host : hosts) options.host_addresses[host] = "127.0.0.1";
    return options;
}

const ProtocolDetection& protocol(const Detection& d, MailProtocol p) {
    const auto* found = d.find(p);
    REQUIRE(found != nullptr);
    return *found;
}

const ServerCandidate* candidate_on(const ProtocolDetection& p, int port) {
    for (const auto& c : p.candidates)
        if (c.server.port == port) return &c;
    return nullptr;
}

// A DNS response message as a server sends it, with name compression.
struct WireMessage {
    std::vector<unsigned char> bytes;
    void u16(int v) {
        bytes.push_back(static_cast<unsigned char>(v >> 8));
        bytes.push_back(static_cast<unsigned char>(v & 0xff));
    }
    void u32(long v) {
        u16(static_cast<int>(v >> 16));
        u16(static_cast<int>(v & 0xffff));
    }
    void labels(std::initializer_list<std::string> parts) {
        for (const auto& p : parts) {
            bytes.push_back(static_cast<unsigned char>(p.size()));
            bytes.insert(bytes.end(), p.begin(), p.end());
        }
    }
    void root() { bytes.push_back(0); }
    void pointer(int offset) { u16(0xc000 | offset); }
};

// Answer for _imaps._tcp.example.test: a CNAME (to be skipped), an SRV whose target shares the
// question's suffix by pointer, and an SRV with the root target.
WireMessage sample_srv_message() {
    WireMessage m;
    m.u16(0x1234);  // id
    m.u16(0x8180);  // response, recursion desired and available, NOERROR
    m.u16(1);       // questions
    m.u16(3);       // answers
    m.u16(0);
    m.u16(0);
    const int question = static_cast<int>(m.bytes.size());  // 12
    m.labels({"_imaps", "_tcp", "example", "test"});
    m.root();
    m.u16(33);  // SRV
    m.u16(1);   // IN
    const int example_test = question + 1 + 6 + 1 + 4;  // offset of "example.test" in the question
    // CNAME _imaps._tcp.example.test -> alias.example.test
    m.pointer(question);
    m.u16(5);
    m.u16(1);
    m.u32(300);
    m.u16(1 + 5 + 2);
    m.labels({"alias"});
    m.pointer(example_test);
    // SRV 10 60 993 IMAP.Example.Test. (upper case on purpose)
    m.pointer(question);
    m.u16(33);
    m.u16(1);
    m.u32(300);
    m.u16(6 + 1 + 4 + 2);
    m.u16(10);
    m.u16(60);
    m.u16(993);
    m.labels({"IMAP"});
    m.pointer(example_test);
    // SRV 0 0 0 .
    m.pointer(question);
    m.u16(33);
    m.u16(1);
    m.u32(300);
    m.u16(7);
    m.u16(0);
    m.u16(0);
    m.u16(0);
    m.root();
    return m;
}

}  // namespace

// ---- SRV records -------------------------------------------------------------------------------

TEST_CASE("SRV answers are read from DNS wire format, compressed names and all", "[autodetect]") {
    const auto m = sample_srv_message();
    const auto records = parse_srv_answer(m.bytes.data(), m.bytes.size());
    REQUIRE(records.size() == 2);  // the CNAME is not an SRV record
    CHECK(records[0] == SrvRecord{10, 60, 993, "imap.example.test"});
    CHECK(records[1] == SrvRecord{0, 0, 0, "."});

    SECTION("a message cut short is refused, not half read") {
        for (std::size_t cut : {std::size_t{5}, m.bytes.size() - 3}) {
            try {
                parse_srv_answer(m.bytes.data(), cut);
                FAIL("parsed " << cut << " bytes");
            } catch (const Error& e) {
                CHECK(e.category() == ErrorCategory::Protocol);
            }
        }
    }
}

TEST_CASE("SRV records are tried lowest priority first, by weight inside a priority, without the \".\" target", "[autodetect]") {
    std::mt19937 random(42);
    const std::vector<SrvRecord> records{{20, 0, 993, "late.example.test"},
                                         {10, 90, 993, "heavy.example.test"},
                                         {10, 10, 993, "light.example.test"},
                                         {5, 0, 0, "."},
                                         {15, 0, 993, "middle.example.test"}};
    int heavy_first = 0;
    for (int i = 0; i < 1000; ++i) {
        const auto ordered = order_srv_records(records, random);
        REQUIRE(ordered.size() == 4);
        CHECK((ordered[0].priority == 10 && ordered[1].priority == 10));
        CHECK(ordered[2].target == "middle.example.test");
        CHECK(ordered[3].target == "late.example.test");
        if (ordered[0].target == "heavy.example.test") ++heavy_first;
    }
    // Weight 90 against 10: about nine draws in ten (with the RFC's 0..sum draw, 90/101).
    CHECK(heavy_first > 820);
    CHECK(heavy_first < 950);

    CHECK(srv_not_offered({{0, 0, 0, "."}}));
    CHECK_FALSE(srv_not_offered({{0, 0, 0, "."}, {1, 0, 993, "imap.example.test"}}));
    CHECK_FALSE(srv_not_offered({}));
}

// ---- detection ---------------------------------------------------------------------------------

TEST_CASE("the provider catalog answers first, without DNS or probes", "[autodetect]") {
    const auto catalog = ProviderCatalog::parse(R"({"format": 1, "providers": [{
        "id": "known", "display_name": "Known Mail", "domains": ["example.test"],
        "servers": {"imap": {"host": "imap.known.test", "port": 993, "tls": "ssl"},
                    "smtp": {"host": "smtp.known.test", "port": 587, "tls": "starttls"}}}]})",
                                                "test.json");
    auto dns = std::make_shared<FakeDns>();
    const auto d = detect_servers("Someone@Example.Test", &catalog, test_options(dns), CancelToken());
    CHECK(d.provider_id == "known");
    CHECK(d.domain == "example.test");
    const auto& imap = protocol(d, MailProtocol::Imap);
    REQUIRE(imap.chosen);
    CHECK(imap.chosen->host == "imap.known.test");
    CHECK(imap.source == DetectionSource::Provider);
    CHECK(protocol(d, MailProtocol::Smtp).chosen->tls == TlsMode::StartTls);
    CHECK_FALSE(protocol(d, MailProtocol::Pop3).chosen);
    CHECK(dns->asked().empty());
}

TEST_CASE("an address without a usable domain is refused before any look-up", "[autodetect]") {
    auto dns = std::make_shared<FakeDns>();
    for (const char* bad : {"no-at-sign", "user@", "@example.test", "user@exa mple.test", "user@a..b", "user@x/y"}) {
        try {
            detect_servers(bad, nullptr, test_options(dns), CancelToken());
            FAIL("accepted " << bad);
        } catch (const Error& e) {
            CHECK(e.category() == ErrorCategory::BadInput);
        }
    }
    CHECK(dns->asked().empty());
}

TEST_CASE("probing finds implicit TLS and STARTTLS and prefers implicit TLS", "[autodetect]") {
    FakeMailServer imaps(MailScript::ImapTls, pki().trusted);
    FakeMailServer imap(MailScript::ImapStartTls, pki().trusted);
    FakeMailServer submission(MailScript::SmtpStartTls, pki().trusted);
    ClosedPort closed;
    auto options = test_options(std::make_shared<FakeDns>(), {"imap.example.test", "smtp.example.test"});
    options.protocols = {MailProtocol::Imap, MailProtocol::Smtp};
    options.port_map = {{993, imaps.port()}, {143, imap.port()}, {465, closed.port()}, {587, submission.port()}};
    std::vector<std::string> progress;
    options.progress = [&](const std::string& line) { progress.push_back(line); };

    const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());

    const auto& in = protocol(d, MailProtocol::Imap);
    REQUIRE(in.chosen);
    CHECK(*in.chosen == mail::ServerEndpoint{MailProtocol::Imap, "imap.example.test", imaps.port(), TlsMode::Ssl, {}});
    CHECK(in.source == DetectionSource::Probe);
    const auto* starttls = candidate_on(in, imap.port());
    REQUIRE(starttls != nullptr);
    CHECK(starttls->outcome == ServerCandidate::Outcome::Secure);
    CHECK(starttls->server.tls == TlsMode::StartTls);
    CHECK(starttls->greeting == "* OK IMAP4rev1 ready");
    CHECK_FALSE(candidate_on(in, imaps.port())->certificate_sha256.empty());

    const auto& out = protocol(d, MailProtocol::Smtp);
    REQUIRE(out.chosen);
    CHECK(*out.chosen == mail::ServerEndpoint{MailProtocol::Smtp, "smtp.example.test", submission.port(), TlsMode::StartTls, {}});
    const auto* refused = candidate_on(out, closed.port());
    REQUIRE(refused != nullptr);
    CHECK(refused->problem == ErrorCategory::Network);
    CHECK(refused->reason == "refused the connection");
    // Names the test did not map do not exist (and never reach the real DNS).
    for (const auto& c : in.candidates)
        if (c.server.host != "imap.example.test") CHECK(c.reason.find("no address") != std::string::npos);
    CHECK(std::find(progress.begin(), progress.end(), "Trying 12 servers at once (each up to 5 s)...") != progress.end());
}

TEST_CASE("SMTP on implicit TLS (465) is found and preferred to STARTTLS", "[autodetect]") {
    FakeMailServer submissions(MailScript::SmtpTls, pki().trusted);
    FakeMailServer submission(MailScript::SmtpStartTls, pki().trusted);
    auto options = test_options(std::make_shared<FakeDns>(), {"smtp.example.test"});
    options.protocols = {MailProtocol::Smtp};
    options.port_map = {{465, submissions.port()}, {587, submission.port()}};
    const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());
    const auto& out = protocol(d, MailProtocol::Smtp);
    REQUIRE(out.chosen);
    CHECK(out.chosen->tls == TlsMode::Ssl);
    CHECK(out.chosen->port == submissions.port());
    CHECK(candidate_on(out, submission.port())->outcome == ServerCandidate::Outcome::Secure);
}

TEST_CASE("a server that offers no encryption is reported and not picked unless allowed", "[autodetect]") {
    FakeMailServer imap(MailScript::ImapPlain, pki().trusted);
    FakeMailServer smtp(MailScript::SmtpPlain, pki().trusted);
    ClosedPort closed;
    auto options = test_options(std::make_shared<FakeDns>(), {"imap.example.test", "smtp.example.test"});
    options.protocols = {MailProtocol::Imap, MailProtocol::Smtp};
    options.port_map = {{993, closed.port()}, {143, imap.port()}, {465, closed.port()}, {587, smtp.port()}};

    const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());
    const auto& in = protocol(d, MailProtocol::Imap);
    CHECK_FALSE(in.chosen);
    CHECK(candidate_on(in, imap.port())->outcome == ServerCandidate::Outcome::PlaintextOnly);
    CHECK(candidate_on(in, imap.port())->reason == "answers but offers no encryption (no STARTTLS)");
    CHECK(candidate_on(protocol(d, MailProtocol::Smtp), smtp.port())->outcome == ServerCandidate::Outcome::PlaintextOnly);
    REQUIRE(in.notes.size() == 1);
    CHECK(in.notes[0].find("offers no encryption, so Tern does not use it") != std::string::npos);

    const auto error = no_server_error(d, {MailProtocol::Imap}, "Give it by hand.");
    CHECK(error.category() == ErrorCategory::TlsHandshake);
    CHECK(error.message().find("imap.example.test:" + std::to_string(imap.port()) +
                               " answers but offers no encryption (no STARTTLS)") != std::string::npos);
    CHECK(error.message().find("\"none\"") != std::string::npos);
    CHECK(error.message().find("Give it by hand.") != std::string::npos);

    options.allow_plaintext = true;
    const auto allowed = detect_servers("alice@example.test", nullptr, options, CancelToken());
    const auto& chosen = protocol(allowed, MailProtocol::Imap).chosen;
    REQUIRE(chosen);
    CHECK(chosen->tls == TlsMode::None);
    CHECK(chosen->port == imap.port());
}

TEST_CASE("an untrusted certificate is reported with its fingerprint, never accepted", "[autodetect]") {
    FakeMailServer stranger(MailScript::ImapTls, pki().untrusted);
    ClosedPort closed;
    auto options = test_options(std::make_shared<FakeDns>());
    options.protocols = {MailProtocol::Imap};
    options.port_map = {{993, stranger.port()}, {143, closed.port()}};

    const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());
    const auto& in = protocol(d, MailProtocol::Imap);
    CHECK_FALSE(in.chosen);
    const auto* c = candidate_on(in, stranger.port());
    REQUIRE(c != nullptr);
    CHECK(c->outcome == ServerCandidate::Outcome::Failed);
    CHECK(c->problem == ErrorCategory::TlsCertificate);
    CHECK(c->certificate_sha256 == pki().untrusted_sha256);
    CHECK(c->reason.find("does not trust") != std::string::npos);

    const auto error = no_server_error(d, {MailProtocol::Imap}, {});
    CHECK(error.category() == ErrorCategory::TlsCertificate);
    CHECK(error.message().find(pki().untrusted_sha256) != std::string::npos);

    SECTION("the same certificate is fine once its issuer is trusted: the check is real") {
        FakeMailServer trusted(MailScript::ImapTls, pki().trusted);
        options.port_map[993] = trusted.port();
        const auto ok = detect_servers("alice@example.test", nullptr, options, CancelToken());
        CHECK(protocol(ok, MailProtocol::Imap).chosen.has_value());
    }
}

TEST_CASE("SRV records are honoured in priority order and checked by a probe", "[autodetect]") {
    FakeMailServer tls(MailScript::ImapTls, pki().trusted);
    FakeMailServer starttls(MailScript::ImapStartTls, pki().trusted);
    ClosedPort closed;
    auto dns = std::make_shared<FakeDns>();
    auto options = test_options(dns, {"a.example.test", "b.example.test", "c.example.test", "imap.example.test"});
    options.protocols = {MailProtocol::Imap};
    options.port_map = {{993, closed.port()}, {143, closed.port()}};  // the guesses would fail

    SECTION("the lowest priority wins when it answers") {
        dns->answers["_imaps._tcp.example.test"] = found({{20, 0, tls.port(), "b.example.test"},
                                                          {10, 0, tls.port(), "a.example.test"}});
        const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());
        const auto& in = protocol(d, MailProtocol::Imap);
        REQUIRE(in.chosen);
        CHECK(*in.chosen == mail::ServerEndpoint{MailProtocol::Imap, "a.example.test", tls.port(), TlsMode::Ssl, {}});
        CHECK(in.source == DetectionSource::DnsSrv);
        CHECK(in.srv_records);
        REQUIRE(in.candidates.size() == 2);  // SRV records found: no guessing
        CHECK(in.candidates[0].server.host == "a.example.test");
        CHECK(in.candidates[0].source == DetectionSource::DnsSrv);
    }
    SECTION("the next one is used when the first does not answer, and _imap (STARTTLS) comes after _imaps") {
        dns->answers["_imaps._tcp.example.test"] = found({{10, 0, closed.port(), "a.example.test"}});
        dns->answers["_imap._tcp.example.test"] = found({{0, 0, starttls.port(), "c.example.test"}});
        const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());
        const auto& in = protocol(d, MailProtocol::Imap);
        REQUIRE(in.chosen);
        CHECK(*in.chosen == mail::ServerEndpoint{MailProtocol::Imap, "c.example.test", starttls.port(), TlsMode::StartTls, {}});
        REQUIRE(in.candidates.size() == 2);
        CHECK(in.candidates[0].server.host == "a.example.test");
        CHECK(in.candidates[0].reason == "refused the connection");
    }
    SECTION("a target outside the domain is used and pointed out") {
        options.host_addresses["imap.elsewhere.test"] = "127.0.0.1";
        dns->answers["_imaps._tcp.example.test"] = found({{0, 0, closed.port(), "imap.elsewhere.test"}});
        const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());
        const auto& in = protocol(d, MailProtocol::Imap);
        REQUIRE(in.notes.size() == 1);
        CHECK(in.notes[0].find("imap.elsewhere.test, outside example.test") != std::string::npos);
    }
}

TEST_CASE("the \".\" SRV target means not offered: nothing is probed for that protocol", "[autodetect]") {
    FakeMailServer would_answer(MailScript::ImapTls, pki().trusted);
    auto dns = std::make_shared<FakeDns>();
    dns->answers["_imaps._tcp.example.test"] = found({{0, 0, 0, "."}});
    dns->answers["_imap._tcp.example.test"] = found({{0, 0, 0, "."}});
    auto options = test_options(dns);
    options.protocols = {MailProtocol::Imap};
    options.port_map = {{993, would_answer.port()}, {143, would_answer.port()}};

    const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());
    const auto& in = protocol(d, MailProtocol::Imap);
    CHECK(in.srv_not_offered);
    CHECK_FALSE(in.chosen);
    CHECK(in.candidates.empty());
    CHECK(would_answer.connections() == 0);
    const auto error = no_server_error(d, {MailProtocol::Imap}, {});
    CHECK(error.category() == ErrorCategory::NotFound);
    CHECK(error.message() == "No IMAP server found for example.test: the DNS of example.test says it offers no IMAP "
                             "(SRV target \".\").");

    SECTION("a \".\" next to real records is only dropped") {
        dns->answers["_imaps._tcp.example.test"] = found({{0, 0, 0, "."}, {5, 0, 993, "imap.example.test"}});
        const auto again = detect_servers("alice@example.test", nullptr, options, CancelToken());
        CHECK(protocol(again, MailProtocol::Imap).chosen.has_value());
        CHECK(would_answer.connections() == 1);
    }
}

TEST_CASE("probes run in parallel: eight silent servers take one timeout, not eight", "[autodetect]") {
    FakeMailServer silent(MailScript::Silent, nullptr);
    auto dns = std::make_shared<FakeDns>();
    std::vector<SrvRecord> records;
    std::vector<std::string> hosts;
    for (int i = 1; i <= 8; ++i) {
        hosts.push_back("s" + std::to_string(i) + ".example.test");
        records.push_back({i, 0, silent.port(), hosts.back()});
    }
    dns->answers["_imaps._tcp.example.test"] = found(records);
    auto options = test_options(dns, hosts);
    options.protocols = {MailProtocol::Imap};
    options.probe_timeout = 600ms;

    const auto start = Clock::now();
    const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());
    const auto elapsed_ms = ms_since(start);
    const auto& in = protocol(d, MailProtocol::Imap);
    REQUIRE(in.candidates.size() == 8);
    for (const auto& c : in.candidates) CHECK(c.problem == ErrorCategory::Timeout);
    CHECK(silent.connections() == 8);
    CHECK(elapsed_ms >= 600);
    CHECK(elapsed_ms < 1800);  // one after the other would be 4800 ms

    const auto error = no_server_error(d, {MailProtocol::Imap}, "Enter the servers by hand with --imap HOST:PORT:TLS.");
    CHECK(error.category() == ErrorCategory::Timeout);
    CHECK(error.message().rfind("No IMAP server found for example.test: its SRV records point to s1.example.test, ", 0) == 0);
    CHECK(error.message().find("s8.example.test did not answer on " + std::to_string(silent.port()) + " within 0.6 s.") !=
          std::string::npos);
}

TEST_CASE("the message for nothing found says what was tried, host by host", "[autodetect]") {
    FakeMailServer silent(MailScript::Silent, nullptr);
    ClosedPort closed;
    auto options = test_options(std::make_shared<FakeDns>(), {"imap.example.test", "example.test"});
    options.protocols = {MailProtocol::Imap};
    options.probe_timeout = 500ms;
    options.port_map = {{993, silent.port()}, {143, closed.port()}};
    const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());
    const auto error = no_server_error(d, {MailProtocol::Imap}, "Enter the servers by hand with --imap HOST:PORT:TLS.");
    const auto p993 = std::to_string(silent.port()), p143 = std::to_string(closed.port());
    CHECK(error.category() == ErrorCategory::Network);
    CHECK(error.message() == "No IMAP server found for example.test: no SRV records, and imap.example.test:" + p993 +
                                 " did not answer within 0.5 s and imap.example.test:" + p143 +
                                 " refused the connection, mail.example.test has no address (not in "
                                 "TERN_AUTODETECT_HOSTS) and example.test:" + p993 +
                                 " did not answer within 0.5 s and example.test:" + p143 +
                                 " refused the connection. Enter the servers by hand with --imap HOST:PORT:TLS.");
}

TEST_CASE("cancelling stops a detection within a second, in the probes and in the DNS look-ups", "[autodetect]") {
    FakeMailServer silent(MailScript::Silent, nullptr);
    auto dns = std::make_shared<FakeDns>();
    auto options = test_options(dns, {"imap.example.test", "mail.example.test", "example.test"});
    options.probe_timeout = 20s;
    options.port_map = {{993, silent.port()}, {143, silent.port()}};
    options.protocols = {MailProtocol::Imap};
    SECTION("while the probes wait for silent servers") {}
    SECTION("while the DNS look-ups hang") { dns->delay = 30s; }

    CancelToken cancel;
    Clock::time_point cancelled_at;
    std::thread canceller([&] {
        std::this_thread::sleep_for(300ms);
        cancelled_at = Clock::now();
        cancel.cancel();
    });
    Clock::time_point returned_at;
    try {
        detect_servers("alice@example.test", nullptr, options, cancel);
        returned_at = Clock::now();
        canceller.join();
        FAIL("detection was not cancelled");
    } catch (const Error& e) {
        returned_at = Clock::now();
        canceller.join();
        CHECK(e.category() == ErrorCategory::Cancelled);
    }
    const auto latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(returned_at - cancelled_at).count();
    CHECK(latency_ms < 1000);
}

TEST_CASE("DNS look-ups that do not answer end after the timeout, and probing goes on", "[autodetect]") {
    FakeMailServer tls(MailScript::ImapTls, pki().trusted);
    ClosedPort closed;
    auto dns = std::make_shared<FakeDns>();
    dns->delay = 30s;
    auto options = test_options(dns);
    options.probe_timeout = 700ms;
    options.protocols = {MailProtocol::Imap};
    options.port_map = {{993, tls.port()}, {143, closed.port()}};
    const auto start = Clock::now();
    const auto d = detect_servers("alice@example.test", nullptr, options, CancelToken());
    CHECK(ms_since(start) < 2500);
    const auto& in = protocol(d, MailProtocol::Imap);
    CHECK(in.srv_error.find("did not answer within 0.7 s") != std::string::npos);
    REQUIRE(in.chosen);
    CHECK(in.chosen->port == tls.port());
    CHECK(dns->asked().size() == 2);  // _imaps and _imap, at once
}

TEST_CASE("the test hooks TERN_AUTODETECT_HOSTS and TERN_AUTODETECT_PORTS are read from the environment", "[autodetect]") {
    struct Saved {
        std::string name;
        std::optional<std::string> value;
        explicit Saved(std::string n) : name(std::move(n)) {
            if (const char* v = std::getenv(name.c_str())) value = v;
        }
        ~Saved() {
            if (value)
                ::setenv(name.c_str(), value->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    } hosts("TERN_AUTODETECT_HOSTS"), ports("TERN_AUTODETECT_PORTS");

    ::setenv("TERN_AUTODETECT_HOSTS", "IMAP.example.test=127.0.0.1, smtp.example.test=::1", 1);
    ::setenv("TERN_AUTODETECT_PORTS", "993=41993,587=41587", 1);
    const auto options = autodetect_options_from_environment();
    CHECK(options.host_addresses ==
          std::map<std::string, std::string>{{"imap.example.test", "127.0.0.1"}, {"smtp.example.test", "::1"}});
    CHECK(options.port_map == std::map<int, int>{{993, 41993}, {587, 41587}});

    for (const auto& [variable, value] : std::vector<std::pair<std::string, std::string>>{
             {"TERN_AUTODETECT_HOSTS", "imap.example.test"},
             {"TERN_AUTODETECT_PORTS", "993=0"},
             {"TERN_AUTODETECT_PORTS", "imaps=993"}}) {
        ::setenv(variable.c_str(), value.c_str(), 1);
        try {
            autodetect_options_from_environment();
            FAIL(variable << "=" << value << " was accepted");
        } catch (const Error& e) {
            CHECK(e.category() == ErrorCategory::BadInput);
            CHECK(e.message().find(variable) != std::string::npos);
        }
        ::unsetenv(variable.c_str());
    }
    ::unsetenv("TERN_AUTODETECT_HOSTS");
    ::unsetenv("TERN_AUTODETECT_PORTS");
    CHECK(autodetect_options_from_environment().host_addresses.empty());
    CHECK(autodetect_options_from_environment().port_map.empty());
}
