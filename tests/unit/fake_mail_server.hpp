// Scripted mail servers on 127.0.0.1 (a port the kernel picks) for the autodetection tests: an
// IMAP or SMTP greeting over TLS, in plain text with or without STARTTLS, a server that accepts
// and never says a word, and a port that refuses connections. Header-only; OpenSSL for TLS.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace tern::test {

enum class MailScript {
    ImapTls,       // TLS from the first byte, then "* OK IMAP4rev1 ready"
    ImapStartTls,  // plain greeting, STARTTLS in CAPABILITY
    ImapPlain,     // plain greeting, no STARTTLS
    SmtpTls,       // TLS from the first byte, then 220
    SmtpStartTls,  // plain 220, STARTTLS in the EHLO answer
    SmtpPlain,     // plain 220, no STARTTLS
    Silent,        // accepts, never sends a byte
};

inline int bound_loopback_socket(int& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        const int saved = errno;
        ::close(fd);
        throw std::system_error(saved, std::generic_category(), "bind 127.0.0.1:0");
    }
    port = ntohs(address.sin_port);
    return fd;
}

// Bound but not listening: connections are refused, and nobody else can take the port meanwhile.
class ClosedPort {
public:
    ClosedPort() : fd_(bound_loopback_socket(port_)) {}
    ~ClosedPort() { ::close(fd_); }
    ClosedPort(const ClosedPort&) = delete;
    ClosedPort& operator=(const ClosedPort&) = delete;
    int port() const { return port_; }

private:
    int port_ = 0;
    int fd_;
};

class FakeMailServer {
public:
    // `tls`: the context (certificate and key) for the TLS scripts and STARTTLS; not owned.
    // `auth_reply`: for the SMTP scripts, offer AUTH PLAIN XOAUTH2 and answer every AUTH with this
    // line (e.g. "535 5.7.139 Authentication unsuccessful, ..." or "235 2.7.0 Authentication successful").
    FakeMailServer(MailScript script, SSL_CTX* tls, std::string auth_reply = {})
        : script_(script), tls_(tls), auth_reply_(std::move(auth_reply)) {
        listen_fd_ = bound_loopback_socket(port_);
        if (::listen(listen_fd_, 64) != 0 || ::pipe(wake_) != 0) {
            ::close(listen_fd_);
            throw std::system_error(errno, std::generic_category(), "listen");
        }
        acceptor_ = std::thread([this] { accept_loop(); });
    }

    ~FakeMailServer() {
        stop_ = true;
        [[maybe_unused]] const auto written = ::write(wake_[1], "x", 1);
        acceptor_.join();
        {
            std::lock_guard lock(mutex_);
            for (int fd : clients_) ::shutdown(fd, SHUT_RDWR);
        }
        for (auto& t : sessions_) t.join();
        for (int fd : clients_) ::close(fd);
        ::close(listen_fd_);
        ::close(wake_[0]);
        ::close(wake_[1]);
    }
    FakeMailServer(const FakeMailServer&) = delete;
    FakeMailServer& operator=(const FakeMailServer&) = delete;

    int port() const { return port_; }
    std::size_t connections() const { return accepted_.load(); }
    // The AUTH commands the clients sent, as sent.
    std::vector<std::string> auth_commands() const {
        std::lock_guard lock(mutex_);
        return auth_commands_;
    }

private:
    // One connection, plain or TLS, read a line at a time.
    struct Stream {
        int fd;
        SSL* ssl = nullptr;
        ~Stream() {
            if (ssl) SSL_free(ssl);
        }
        bool start_tls(SSL_CTX* ctx) {
            ssl = SSL_new(ctx);
            SSL_set_fd(ssl, fd);
            return SSL_accept(ssl) == 1;
        }
        bool send(const std::string& text) {
            if (ssl) return SSL_write(ssl, text.data(), static_cast<int>(text.size())) > 0;
            return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
        }
        bool read_line(std::string& line) {
            line.clear();
            char c = 0;
            while (line.size() < 4096) {
                const long n = ssl ? SSL_read(ssl, &c, 1) : ::recv(fd, &c, 1, 0);
                if (n <= 0) return false;
                if (c == '\n') return true;
                if (c != '\r') line += c;
            }
            return false;
        }
    };

    void accept_loop() {
        while (!stop_) {
            pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) <= 0 || (fds[1].revents & POLLIN)) continue;
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            ++accepted_;
            std::lock_guard lock(mutex_);
            clients_.push_back(fd);
            if (script_ != MailScript::Silent) sessions_.emplace_back([this, fd] { serve(fd); });
        }
    }

    void serve(int fd) {
        timeval patience{10, 0};  // a test that forgets its client does not hang here
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
        Stream stream{fd};
        switch (script_) {
        case MailScript::ImapTls:
            if (stream.start_tls(tls_)) imap(stream, false);
            break;
        case MailScript::ImapStartTls: imap(stream, true); break;
        case MailScript::ImapPlain: imap(stream, false); break;
        case MailScript::SmtpTls:
            if (stream.start_tls(tls_)) smtp(stream, false);
            break;
        case MailScript::SmtpStartTls: smtp(stream, true); break;
        case MailScript::SmtpPlain: smtp(stream, false); break;
        case MailScript::Silent: break;
        }
    }

    void imap(Stream& s, bool offer_starttls) {
        s.send("* OK IMAP4rev1 ready\r\n");
        for (std::string line; s.read_line(line);) {
            const auto space = line.find(' ');
            const std::string tag = line.substr(0, space);
            const std::string command = space == std::string::npos ? "" : line.substr(space + 1);
            if (command == "CAPABILITY") {
                s.send(std::string("* CAPABILITY IMAP4rev1") + (offer_starttls && !s.ssl ? " STARTTLS LOGINDISABLED" : "") +
                       " AUTH=PLAIN\r\n" + tag + " OK CAPABILITY completed\r\n");
            } else if (command == "STARTTLS" && offer_starttls && !s.ssl) {
                s.send(tag + " OK Begin TLS negotiation now\r\n");
                if (!s.start_tls(tls_)) return;
            } else if (command == "LOGOUT") {
                s.send("* BYE\r\n" + tag + " OK LOGOUT completed\r\n");
                return;
            } else {
                s.send(tag + " BAD unknown command\r\n");
            }
        }
    }

    void smtp(Stream& s, bool offer_starttls) {
        s.send("220 fake.example.test ESMTP ready\r\n");
        for (std::string line; s.read_line(line);) {
            const std::string verb = line.substr(0, line.find(' '));
            if (verb == "EHLO") {
                s.send(std::string("250-fake.example.test\r\n") + (offer_starttls && !s.ssl ? "250-STARTTLS\r\n" : "") +
                       (auth_reply_.empty() ? "250 AUTH PLAIN\r\n" : "250 AUTH PLAIN XOAUTH2\r\n"));
            } else if (verb == "AUTH" && !auth_reply_.empty()) {
                {
                    std::lock_guard lock(mutex_);
                    auth_commands_.push_back(line);
                }
                s.send(auth_reply_ + "\r\n");
            } else if (verb == "STARTTLS" && offer_starttls && !s.ssl) {
                s.send("220 2.0.0 Ready to start TLS\r\n");
                if (!s.start_tls(tls_)) return;
            } else if (verb == "QUIT") {
                s.send("221 2.0.0 Bye\r\n");
                return;
            } else {
                s.send("502 5.5.2 unknown command\r\n");
            }
        }
    }

    MailScript script_;
    SSL_CTX* tls_;
    std::string auth_reply_;
    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> accepted_{0};
    mutable std::mutex mutex_;
    std::vector<int> clients_;
    std::vector<std::string> auth_commands_;
    std::vector<std::thread> sessions_;
    std::thread acceptor_;
};

}  // namespace tern::test
