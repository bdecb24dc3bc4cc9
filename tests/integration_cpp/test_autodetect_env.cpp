// Autodetection against the real Dovecot of tests/env, reached through the test-only hooks
// TERN_AUTODETECT_HOSTS / TERN_AUTODETECT_PORTS: the address is alice@localhost (the environment's
// certificates name only localhost), "localhost" maps to 127.0.0.1 and the usual ports (993, 143,
// 995, 587, ...) to the environment's. Also tern-cli account add end to end with those hooks, and
// a listener of the test's own serving the environment's unknown-CA and expired certificates.
#include "env_file.hpp"
#include "tern/core/text.hpp"
#include "fake_mail_server.hpp"
#include "temp_dir.hpp"

#include "tern/accounts/autodetect.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iterator>
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

class NoSrvRecords final : public DnsResolver {
public:
    SrvAnswer lookup_srv(const std::string&, std::chrono::milliseconds) override { return {}; }
};

struct DetectEnv {
    test::TestEnvironment env;
    ClosedPort closed;

    int port(const std::string& key) const { return std::stoi(env.get(key)); }

    // The hooks as tern-cli gets them: every usual port mapped, "localhost" the only name.
    std::map<int, int> ports() const {
        return {{993, port("IMAPS_PORT")}, {143, port("IMAP_PORT")}, {995, port("POP3S_PORT")},
                {110, closed.port()},      {465, closed.port()},     {587, port("SUBMISSION_PORT")}};
    }
    static std::string hook_text(const std::map<int, int>& ports) {
        std::string text;
        for (const auto& [from, to] : ports) text += (text.empty() ? "" : ",") + std::to_string(from) + "=" + std::to_string(to);
        return text;
    }

    AutodetectOptions options(const std::map<int, int>& port_map) const {
        ::setenv("TERN_AUTODETECT_HOSTS", "localhost=127.0.0.1", 1);
        ::setenv("TERN_AUTODETECT_PORTS", hook_text(port_map).c_str(), 1);
        auto result = autodetect_options_from_environment();
        ::unsetenv("TERN_AUTODETECT_HOSTS");
        ::unsetenv("TERN_AUTODETECT_PORTS");
        result.dns = std::make_shared<NoSrvRecords>();
        result.trust.extra_ca_file = env.get("TERN_CA_FILE");
        return result;
    }
};

const ServerCandidate* candidate_on(const Detection& d, MailProtocol protocol, const std::string& host, int port) {
    for (const auto& c : d.find(protocol)->candidates)
        if (c.server.host == host && c.server.port == port) return &c;
    return nullptr;
}

SSL_CTX* context_from_files(const std::filesystem::path& cert, const std::filesystem::path& key) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    REQUIRE(SSL_CTX_use_certificate_file(ctx, cert.c_str(), SSL_FILETYPE_PEM) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) == 1);
    return ctx;
}

std::string fingerprint_of(const std::filesystem::path& pem) {
    FILE* in = std::fopen(pem.c_str(), "r");
    REQUIRE(in != nullptr);
    X509* cert = PEM_read_X509(in, nullptr, nullptr, nullptr);
    std::fclose(in);
    REQUIRE(cert != nullptr);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    X509_digest(cert, EVP_sha256(), digest, &size);
    X509_free(cert);
    return colon_hex(digest, size);
}

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string quoted(const std::string& text) { return "'" + text + "'"; }

struct Run {
    int code;
    std::string out, err;
};

// tern-cli inside a private keyring session (the password goes to the keyring), as a shell would.
Run tern_cli(const test::TempDir& tmp, const std::string& environment, const std::string& args, const std::string& stdin_text) {
    std::ofstream(tmp / "stdin") << stdin_text;
    const std::string command = "env " + environment + " " + quoted(std::string(TERN_SOURCE_DIR) + "/tests/env/with-keyring") +
                                " " + quoted(TERN_CLI_PATH) + " " + args + " <" + quoted((tmp / "stdin").string()) + " >" +
                                quoted((tmp / "out").string()) + " 2>" + quoted((tmp / "err").string());
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    return {WEXITSTATUS(status), slurp(tmp / "out"), slurp(tmp / "err")};
}

}  // namespace

TEST_CASE("Dovecot's IMAPS, IMAP with STARTTLS, POP3S and submission are detected", "[autodetect]") {
    DetectEnv e;
    const auto d = detect_servers("alice@localhost", nullptr, e.options(e.ports()), CancelToken());

    CHECK(d.chosen(MailProtocol::Imap) ==
          mail::ServerEndpoint{MailProtocol::Imap, "localhost", e.port("IMAPS_PORT"), TlsMode::Ssl, {}});
    CHECK(d.find(MailProtocol::Imap)->source == DetectionSource::Probe);
    const auto* imap = candidate_on(d, MailProtocol::Imap, "localhost", e.port("IMAP_PORT"));
    REQUIRE(imap != nullptr);
    CHECK(imap->outcome == ServerCandidate::Outcome::Secure);
    CHECK(imap->server.tls == TlsMode::StartTls);
    CHECK(imap->greeting.rfind("* OK", 0) == 0);
    CHECK(d.chosen(MailProtocol::Pop3) ==
          mail::ServerEndpoint{MailProtocol::Pop3, "localhost", e.port("POP3S_PORT"), TlsMode::Ssl, {}});
    CHECK(d.chosen(MailProtocol::Smtp) ==
          mail::ServerEndpoint{MailProtocol::Smtp, "localhost", e.port("SUBMISSION_PORT"), TlsMode::StartTls, {}});
    const auto* smtps = candidate_on(d, MailProtocol::Smtp, "localhost", e.closed.port());
    REQUIRE(smtps != nullptr);
    CHECK(smtps->reason == "refused the connection");

    SECTION("without implicit TLS, IMAP is found with STARTTLS (required)") {
        auto ports = e.ports();
        ports[993] = e.closed.port();
        const auto again = detect_servers("alice@localhost", nullptr, e.options(ports), CancelToken());
        CHECK(again.chosen(MailProtocol::Imap) ==
              mail::ServerEndpoint{MailProtocol::Imap, "localhost", e.port("IMAP_PORT"), TlsMode::StartTls, {}});
    }
}

TEST_CASE("a certificate from an unknown CA or an expired one is reported with its fingerprint", "[autodetect]") {
    DetectEnv e;
    const std::filesystem::path dir = e.env.get("TERN_ENV_DIR");
    const auto [name, words] = GENERATE(std::make_pair(std::string("unknown-ca-server"), std::string("does not trust")),
                                        std::make_pair(std::string("expired-server"), std::string("has expired")));
    SSL_CTX* ctx = context_from_files(dir / (name + ".pem"), dir / (name + ".key"));
    {
        FakeMailServer impostor(MailScript::ImapTls, ctx);
        auto ports = e.ports();
        ports[993] = impostor.port();
        const auto d = detect_servers("alice@localhost", nullptr, e.options(ports), CancelToken());
        const auto* c = candidate_on(d, MailProtocol::Imap, "localhost", impostor.port());
        REQUIRE(c != nullptr);
        CHECK(c->problem == ErrorCategory::TlsCertificate);
        CHECK(c->reason.find(words) != std::string::npos);
        CHECK(c->certificate_sha256 == fingerprint_of(dir / (name + ".pem")));
        // Not chosen: Dovecot's STARTTLS port, with the trusted certificate, is.
        CHECK(d.chosen(MailProtocol::Imap) ==
              mail::ServerEndpoint{MailProtocol::Imap, "localhost", e.port("IMAP_PORT"), TlsMode::StartTls, {}});
    }
    SSL_CTX_free(ctx);
}

TEST_CASE("tern-cli account add finds the servers by itself and keeps a working account", "[autodetect]") {
    DetectEnv e;
    test::TempDir tmp;
    const auto home = (tmp / "home").string();
    const std::string environment = "TERN_CA_FILE=" + quoted(e.env.get("TERN_CA_FILE")) +
                                    " TERN_AUTODETECT_HOSTS=localhost=127.0.0.1 TERN_AUTODETECT_PORTS=" +
                                    DetectEnv::hook_text(e.ports());
    const std::string common = "--home " + quoted(home) + " --providers " + quoted(e.env.get("TERN_PROVIDERS"));
    const auto add = tern_cli(tmp, environment,
                              common + " --json account add alice@localhost --user " + quoted(e.env.get("PASSWORD_USER1")),
                              e.env.get("PASSWORD_USER1_PASSWORD") + "\n");
    INFO(add.out << add.err);
    REQUIRE(add.code == 0);
    CHECK(add.err.find("Trying 20 servers at once (each up to 3 s)...") != std::string::npos);
    const auto out = nlohmann::json::parse(add.out);
    CHECK(out["provider"] == "custom");
    CHECK(out["mode"] == "password");
    const auto& servers = out["autodetect"]["servers"];
    CHECK(servers["imap"] == nlohmann::json({{"host", "localhost"}, {"port", e.port("IMAPS_PORT")}, {"tls", "ssl"},
                                             {"source", "probe"}}));
    CHECK(servers["smtp"] == nlohmann::json({{"host", "localhost"}, {"port", e.port("SUBMISSION_PORT")},
                                             {"tls", "starttls"}, {"source", "probe"}}));
    CHECK(out["autodetect"]["candidates"].size() == 20);

    const auto status = tern_cli(tmp, "", common + " --json account status alice@localhost", "");
    REQUIRE(status.code == 0);
    const auto account = nlohmann::json::parse(status.out);
    const auto imaps = "imap localhost:" + e.env.get("IMAPS_PORT") + ":ssl";
    const auto submission = "smtp localhost:" + e.env.get("SUBMISSION_PORT") + ":starttls";
    CHECK(account["servers"] == nlohmann::json::array({imaps, submission}));
}

TEST_CASE("tern-cli account add --provider generic finds the servers too", "[autodetect]") {
    // The shipped providers.json: its generic provider names no servers, so they are looked for.
    DetectEnv e;
    test::TempDir tmp;
    const std::string environment = "TERN_CA_FILE=" + quoted(e.env.get("TERN_CA_FILE")) +
                                    " TERN_AUTODETECT_HOSTS=localhost=127.0.0.1 TERN_AUTODETECT_PORTS=" +
                                    DetectEnv::hook_text(e.ports());
    const auto add = tern_cli(tmp, environment,
                              "--home " + quoted((tmp / "home").string()) + " --providers " +
                                  quoted(std::string(TERN_SOURCE_DIR) + "/resources/providers.json") +
                                  " --json account add alice@localhost --provider generic --user " +
                                  quoted(e.env.get("PASSWORD_USER1")),
                              e.env.get("PASSWORD_USER1_PASSWORD") + "\n");
    INFO(add.out << add.err);
    REQUIRE(add.code == 0);
    const auto out = nlohmann::json::parse(add.out);
    CHECK(out["provider"] == "generic");
    CHECK(out["autodetect"]["servers"]["imap"]["port"] == e.port("IMAPS_PORT"));
}

TEST_CASE("tern-cli account add says what it tried when no server answers, and Ctrl-C stops it", "[autodetect]") {
    DetectEnv e;
    test::TempDir tmp;
    const auto home = (tmp / "home").string();
    std::map<int, int> nothing;
    for (int port : {993, 143, 995, 110, 465, 587}) nothing[port] = e.closed.port();
    const std::string environment = "TERN_AUTODETECT_HOSTS=localhost=127.0.0.1 TERN_AUTODETECT_PORTS=" +
                                    DetectEnv::hook_text(nothing);
    const auto none = tern_cli(tmp, environment, "--home " + quoted(home) + " account add alice@localhost", "");
    CHECK(none.code == 1);
    // (What the SRV look-up says depends on this machine's DNS: the servers' part does not.)
    CHECK(none.err.find("No IMAP or POP3 server found for localhost. IMAP: ") != std::string::npos);
    CHECK(none.err.find("imap.localhost has no address (not in TERN_AUTODETECT_HOSTS), mail.localhost has no "
                        "address (not in TERN_AUTODETECT_HOSTS) and localhost refused the connection on ") !=
          std::string::npos);
    // 993 and 143 both lead to the same closed port: tried once.
    CHECK(none.err.find("localhost refused the connection on " + std::to_string(e.closed.port()) + ".") !=
          std::string::npos);
    CHECK(none.err.find("Enter the servers by hand with --imap HOST:PORT:TLS") != std::string::npos);
    CHECK(none.err.find("[network]") != std::string::npos);

    // Silent servers keep every probe waiting its 3 s; SIGINT must end it well before.
    FakeMailServer silent(MailScript::Silent, nullptr);
    std::map<int, int> quiet;
    for (int port : {993, 143, 995, 110, 465, 587}) quiet[port] = silent.port();
    const auto err = tmp / "cancel-err";
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::setenv("TERN_AUTODETECT_HOSTS", "localhost=127.0.0.1", 1);
        ::setenv("TERN_AUTODETECT_PORTS", DetectEnv::hook_text(quiet).c_str(), 1);
        std::signal(SIGINT, SIG_DFL);
        const int in = ::open("/dev/null", O_RDONLY), log = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(in, 0);
        ::dup2(log, 1);
        ::dup2(log, 2);
        ::execl(TERN_CLI_PATH, TERN_CLI_PATH, "--home", home.c_str(), "account", "add", "alice@localhost",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    const auto deadline = Clock::now() + 20s;
    while (slurp(err).find("servers at once") == std::string::npos && Clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    std::this_thread::sleep_for(200ms);  // the probes are connected and waiting
    const auto interrupted = Clock::now();
    ::kill(child, SIGINT);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    const auto latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - interrupted).count();
    const auto log = slurp(err);
    INFO(log);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
    CHECK(log.find("[cancelled]") != std::string::npos);
    CHECK(log.find("nothing was added") != std::string::npos);
    CHECK(latency_ms < 1000);
    CHECK(silent.connections() >= 1);
}
