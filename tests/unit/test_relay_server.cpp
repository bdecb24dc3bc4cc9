// The relay's listener in process (mail/relay/relay_server) on a loopback port the kernel picks:
// a printer's whole conversation over real sockets and OpenSSL, the certificate it presents, and
// a stop with a connection still open. Runs in the sanitizer pass too, which is the point: the
// network code's lifetimes (connections, timers, the spool's answers) are checked there.
#include "temp_dir.hpp"

#include "tern/core/base64.hpp"
#include "tern/core/text.hpp"
#include "tern/mail/relay/relay_server.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <thread>

using namespace tern::mail::relay;
using namespace std::string_literals;

namespace {

class FakeDirectory final : public RelayDirectory {
public:
    std::optional<RelayIdentity> authenticate(std::string_view user, const tern::Secret& password) override {
        if (user == "relay-mfp" && password.reveal() == "right") return RelayIdentity{9, "mfp", "mfp@example.test"};
        return std::nullopt;
    }
    tern::mail::ConnectionOptions upstream(std::int64_t) override {
        throw tern::Error(tern::ErrorCategory::TokenExpired, "not signed in (test)");
    }
    void spooled(std::int64_t, int count) override { spooled_count += count; }
    void delivered(std::int64_t) override {}
    void failed(std::int64_t, const std::string&) override {}
    void deferred(std::int64_t, const tern::Error&) override {}
    std::atomic<int> spooled_count{0};
};

// A blocking client: plain text until STARTTLS, then OpenSSL.
class Client {
public:
    explicit Client(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        timeval timeout{10, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    ~Client() {
        if (ssl_) SSL_free(ssl_);
        if (ctx_) SSL_CTX_free(ctx_);
        ::close(fd_);
    }

    void send(const std::string& text) {
        if (ssl_)
            REQUIRE(SSL_write(ssl_, text.data(), static_cast<int>(text.size())) == static_cast<int>(text.size()));
        else
            REQUIRE(::send(fd_, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
    }

    // One whole reply (all its lines).
    std::string reply() {
        std::string out;
        while (true) {
            const auto line = read_line();
            out += line;
            if (line.size() < 4 || line[3] != '-') return out;
        }
    }

    std::string command(const std::string& line) {
        send(line + "\r\n");
        return reply();
    }

    // Returns the SHA-256 fingerprint of the certificate the relay presented.
    std::string start_tls() {
        REQUIRE(command("STARTTLS").rfind("220 ", 0) == 0);
        ctx_ = SSL_CTX_new(TLS_client_method());
        ssl_ = SSL_new(ctx_);
        SSL_set_fd(ssl_, fd_);
        REQUIRE(SSL_connect(ssl_) == 1);
        X509* cert = SSL_get1_peer_certificate(ssl_);
        REQUIRE(cert);
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        X509_digest(cert, EVP_sha256(), digest, &length);
        X509_free(cert);
        return tern::colon_hex(digest, length);
    }

private:
    std::string read_line() {
        while (true) {
            const auto end = buffer_.find("\r\n");
            if (end != std::string::npos) {
                auto line = buffer_.substr(0, end + 2);
                buffer_.erase(0, end + 2);
                return line;
            }
            char chunk[4096];
            const int n = ssl_ ? SSL_read(ssl_, chunk, sizeof chunk) : static_cast<int>(::recv(fd_, chunk, sizeof chunk, 0));
            if (n <= 0) return std::exchange(buffer_, {});
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    std::string buffer_;
};

}  // namespace

TEST_CASE("relay server: a printer's conversation over TLS ends in the spool, and stop closes what is open",
          "[relay]") {
    tern::test::TempDir dir;
    const auto certificate = load_or_create_relay_certificate(dir.path() / "relay", {"relay.example.test"});
    // Made once: a second start finds the same certificate (the fingerprint the admin compared).
    CHECK(load_or_create_relay_certificate(dir.path() / "relay", {}).sha256_fingerprint ==
          certificate.sha256_fingerprint);
    CHECK((std::filesystem::status(certificate.key_file).permissions() & std::filesystem::perms::others_read) ==
          std::filesystem::perms::none);

    RelaySpool spool(dir.path() / "spool.db");
    FakeDirectory directory;
    spool.on_committed([&](const std::vector<std::pair<std::int64_t, int>>& per_device) {
        for (const auto& [device, n] : per_device) directory.spooled(device, n);
    });
    RelayServerSettings settings;
    settings.listen_port = 0;
    settings.hostname = "relay.example.test";
    settings.auth_failure_delay = std::chrono::milliseconds(10);
    RelayServer server(settings, certificate, directory, spool);
    server.listen();
    REQUIRE(server.port() != 0);
    std::thread network([&] { server.run(); });

    {
        Client printer(server.port());
        CHECK(printer.reply().rfind("220 relay.example.test ESMTP", 0) == 0);
        CHECK(printer.command("EHLO mfp").find("STARTTLS") != std::string::npos);
        CHECK(printer.start_tls() == certificate.sha256_fingerprint);
        CHECK(printer.command("EHLO mfp").find("AUTH PLAIN LOGIN") != std::string::npos);
        CHECK(printer.command("AUTH PLAIN " + tern::base64_encode("\0relay-mfp\0wrong"s)).rfind("535 5.7.8", 0) == 0);
        CHECK(printer.command("AUTH PLAIN " + tern::base64_encode("\0relay-mfp\0right"s)).rfind("235 ", 0) == 0);
        // Pipelined, as PIPELINING allows: three answers to one write.
        printer.send("MAIL FROM:<mfp@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
        CHECK(printer.reply() == "250 2.1.0 Sender ok\r\n");
        CHECK(printer.reply() == "250 2.1.5 Recipient ok\r\n");
        CHECK(printer.reply().rfind("354 ", 0) == 0);
        const auto queued = printer.command("Subject: scan\r\n\r\n" + std::string(100000, 'x') + "\r\n.");
        CHECK(queued.rfind("250 2.0.0 Ok: queued as ", 0) == 0);
        CHECK(printer.command("QUIT").rfind("221 ", 0) == 0);
    }
    const auto waiting = spool.list();
    REQUIRE(waiting.size() == 1);
    CHECK(waiting[0].device_id == 9);
    CHECK(waiting[0].envelope.recipients == std::vector<std::string>{"bob@example.test"});
    CHECK(directory.spooled_count == 1);

    // A connection still open when the relay stops is closed, and nothing is left running.
    Client idle(server.port());
    CHECK(idle.reply().rfind("220 ", 0) == 0);
    server.stop();
    network.join();
    CHECK(idle.reply().empty());
}
