#include "tern/mail/relay/relay_server.hpp"

#include "tern/core/error.hpp"

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <deque>
#include <map>
#include <set>

namespace tern::mail::relay {
namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

}  // namespace

class Connection;

class RelayServer::Impl {
public:
    Impl(RelayServerSettings settings, const RelayCertificate& certificate, RelayDirectory& directory, RelaySpool& spool);
    ~Impl();

    void listen();
    void run() { io_->run(); }
    void stop();
    std::uint16_t port() const { return port_; }

    // Called by connections, all on the network thread.
    void closed(const std::shared_ptr<Connection>& connection);
    void auth_failed(const std::string& address);

    const RelayServerSettings settings_;
    std::shared_ptr<asio::io_context> io_ = std::make_shared<asio::io_context>(1);
    asio::ssl::context tls_{asio::ssl::context::tls_server};
    asio::thread_pool auth_pool_{2};
    RelayDirectory& directory_;
    RelaySpool& spool_;

private:
    void accept();
    bool locked_out(const std::string& address);
    void refuse(tcp::socket socket, std::string reply);

    tcp::acceptor acceptor_{*io_};
    std::uint16_t port_ = 0;
    std::set<std::shared_ptr<Connection>> connections_;
    std::map<std::string, std::size_t> per_address_;
    std::map<std::string, std::deque<Clock::time_point>> auth_failures_;
    bool stopping_ = false;
};

// One device's connection: carries out what its SmtpServerSession asks, one step at a time (a
// read, a write, a handshake, a credential check or a spool commit is ever outstanding).
class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(RelayServer::Impl& server, tcp::socket socket, std::string address)
        : server_(server),
          stream_(std::move(socket), server.tls_),
          address_(std::move(address)),
          session_(SessionSettings{server.settings_.hostname, address_, true, server.settings_.limits}),
          timer_(*server.io_),
          delay_(*server.io_) {}

    const std::string& address() const { return address_; }

    void start() {
        spdlog::info("relay: connection from {}", address_);
        perform(session_.start());
    }

    void close_now() {
        if (closed_) return;
        closed_ = true;
        timer_.cancel();
        delay_.cancel();
        asio::error_code ignored;
        stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.lowest_layer().close(ignored);
        server_.closed(shared_from_this());
    }

private:
    void perform(std::vector<SessionAction> actions) {
        for (auto& a : actions) actions_.push_back(std::move(a));
        pump();
    }

    void pump() {
        if (closed_) return;
        auto self = shared_from_this();
        while (!actions_.empty()) {
            SessionAction action = std::move(actions_.front());
            actions_.pop_front();
            switch (action.kind) {
                case SessionAction::Kind::Reply: out_ += action.text; continue;
                case SessionAction::Kind::StartTls: return flush([self] { self->handshake(); });
                case SessionAction::Kind::Authenticate:
                    return flush([self, user = std::move(action.user), password = std::move(action.password)] {
                        self->check_credentials(user, password);
                    });
                case SessionAction::Kind::Deliver:
                    return flush([self, a = std::make_shared<SessionAction>(std::move(action))] { self->spool(*a); });
                case SessionAction::Kind::Close: return flush([self] { self->close_now(); });
            }
        }
        flush([self] { self->read(); });
    }

    template <typename Next>
    void flush(Next next) {
        if (out_.empty()) return next();
        writing_ = std::move(out_);
        out_.clear();
        auto self = shared_from_this();
        auto done = [self, next](const asio::error_code& ec, std::size_t) {
            if (ec) return self->fail("write", ec);
            self->writing_.clear();
            next();
        };
        if (tls_)
            asio::async_write(stream_, asio::buffer(writing_), done);
        else
            asio::async_write(stream_.next_layer(), asio::buffer(writing_), done);
    }

    void read() {
        if (closed_) return;
        arm_timer();
        auto self = shared_from_this();
        auto done = [self](const asio::error_code& ec, std::size_t n) {
            self->timer_.cancel();
            if (ec) return self->fail("read", ec);
            self->perform(self->session_.receive(std::string_view(self->buffer_.data(), n)));
        };
        if (tls_)
            stream_.async_read_some(asio::buffer(buffer_), done);
        else
            stream_.next_layer().async_read_some(asio::buffer(buffer_), done);
    }

    void handshake() {
        arm_timer();
        auto self = shared_from_this();
        stream_.async_handshake(asio::ssl::stream_base::server, [self](const asio::error_code& ec) {
            self->timer_.cancel();
            if (ec) return self->fail("TLS handshake", ec);
            self->tls_ = true;
            self->perform(self->session_.tls_started());
        });
    }

    // Off the network thread (the directory may ask the keyring). The server joins its pool before
    // it goes away, so the pool may use it; the connection itself may be gone by then.
    void check_credentials(const std::string& user, const Secret& password) {
        std::weak_ptr<Connection> weak = shared_from_this();
        auto& server = server_;
        asio::post(server.auth_pool_, [weak, &server, user, password] {
            std::optional<RelayIdentity> identity;
            try {
                identity = server.directory_.authenticate(user, password);
            } catch (const Error& e) {
                spdlog::error("relay: checking the credentials of {} failed: {}", user, e.log_line());
            }
            asio::post(*server.io_, [weak, user, identity] {
                if (auto self = weak.lock()) self->credentials_checked(user, identity);
            });
        });
    }

    void credentials_checked(const std::string& user, const std::optional<RelayIdentity>& identity) {
        if (closed_) return;
        if (identity) {
            spdlog::info("relay: {} signed in from {} as device \"{}\"", user, address_, identity->device_name);
            return perform(session_.authenticated(identity));
        }
        spdlog::warn("relay: wrong relay user or password for \"{}\" from {}", user, address_);
        server_.auth_failed(address_);
        // The wait makes guessing slow; the session counts the failures and hangs up.
        auto self = shared_from_this();
        delay_.expires_after(server_.settings_.auth_failure_delay);
        delay_.async_wait([self](const asio::error_code& ec) {
            if (ec || self->closed_) return;
            self->perform(self->session_.authenticated(std::nullopt));
        });
    }

    // The spool answers on its committer thread, possibly after the server is gone: only weak
    // references cross over.
    void spool(SessionAction& action) {
        std::weak_ptr<Connection> weak = shared_from_this();
        std::weak_ptr<asio::io_context> weak_io = server_.io_;
        const auto size = action.message.size();
        const auto recipients = action.envelope.recipients.size();
        const auto device = action.identity.device_name;
        server_.spool_.accept(
            action.identity, std::move(action.envelope), std::move(action.message),
            [weak, weak_io, size, recipients, device](std::optional<std::string> queue_id) {
                if (queue_id)
                    spdlog::info("relay: device \"{}\": accepted {} ({} bytes, {} recipient(s))", device, *queue_id,
                                 size, recipients);
                if (auto io = weak_io.lock())
                    asio::post(*io, [weak, queue_id] {
                        if (auto self = weak.lock(); self && !self->closed_)
                            self->perform(self->session_.delivered(queue_id));
                    });
            });
    }

    void arm_timer() {
        auto self = shared_from_this();
        timer_.expires_after(server_.settings_.command_timeout);
        timer_.async_wait([self](const asio::error_code& ec) {
            if (ec || self->closed_) return;
            spdlog::info("relay: {} said nothing for {} s", self->address_, self->server_.settings_.command_timeout.count());
            // Cancels the read; its handler sees operation_aborted after we closed.
            self->actions_.clear();
            auto actions = self->session_.timed_out();
            for (auto& a : actions) self->actions_.push_back(std::move(a));
            asio::error_code ignored;
            self->stream_.lowest_layer().cancel(ignored);
            self->pump_after_timeout_ = true;
        });
    }

    void fail(const char* what, const asio::error_code& ec) {
        if (closed_) return;
        if (pump_after_timeout_ && ec == asio::error::operation_aborted) {
            pump_after_timeout_ = false;
            return pump();  // sends the 421 and closes
        }
        if (ec != asio::error::eof && ec != asio::ssl::error::stream_truncated)
            spdlog::info("relay: {} with {} failed: {}", what, address_, ec.message());
        close_now();
    }

    RelayServer::Impl& server_;
    asio::ssl::stream<tcp::socket> stream_;
    std::string address_;
    SmtpServerSession session_;
    asio::steady_timer timer_;
    asio::steady_timer delay_;
    std::deque<SessionAction> actions_;
    std::string out_;
    std::string writing_;
    std::array<char, 64 * 1024> buffer_{};
    bool tls_ = false;
    bool closed_ = false;
    bool pump_after_timeout_ = false;
};

RelayServer::Impl::Impl(RelayServerSettings settings, const RelayCertificate& certificate, RelayDirectory& directory,
                        RelaySpool& spool)
    : settings_(std::move(settings)), directory_(directory), spool_(spool) {
    tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                     asio::ssl::context::single_dh_use);
    try {
        tls_.use_certificate_chain_file(certificate.certificate_file.string());
        tls_.use_private_key_file(certificate.key_file.string(), asio::ssl::context::pem);
    } catch (const std::system_error& e) {
        throw Error(ErrorCategory::Storage,
                    "The relay's certificate " + certificate.certificate_file.string() +
                        " or its key could not be loaded. Delete the relay folder of the profile to make new ones.",
                    e.what());
    }
}

RelayServer::Impl::~Impl() {
    auth_pool_.join();
}

void RelayServer::Impl::listen() {
    asio::error_code ec;
    const auto address = asio::ip::make_address(settings_.listen_host, ec);
    if (ec)
        throw Error(ErrorCategory::BadInput, "\"" + settings_.listen_host + "\" is not an IP address to listen on.");
    const tcp::endpoint endpoint(address, settings_.listen_port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw Error(ErrorCategory::Network,
                    "The relay cannot listen on " + settings_.listen_host + ":" + std::to_string(settings_.listen_port) +
                        ": " + ec.message() + ". Choose another address or port (--listen HOST:PORT).",
                    ec.message());
    port_ = acceptor_.local_endpoint().port();
    accept();
}

void RelayServer::Impl::accept() {
    acceptor_.async_accept([this](const asio::error_code& ec, tcp::socket socket) {
        if (ec) {
            if (stopping_) return;
            spdlog::warn("relay: accepting a connection failed: {}", ec.message());
            return accept();
        }
        asio::error_code ignored;
        const auto address = socket.remote_endpoint(ignored).address().to_string();
        if (connections_.size() >= settings_.max_connections)
            refuse(std::move(socket), "421 4.7.0 Too many connections, try again later\r\n");
        else if (per_address_[address] >= settings_.max_connections_per_address)
            refuse(std::move(socket), "421 4.7.0 Too many connections from your address\r\n");
        else if (locked_out(address))
            refuse(std::move(socket), "421 4.7.0 Too many failed sign-ins from your address, try again later\r\n");
        else {
            auto connection = std::make_shared<Connection>(*this, std::move(socket), address);
            connections_.insert(connection);
            ++per_address_[address];
            connection->start();
        }
        accept();
    });
}

void RelayServer::Impl::refuse(tcp::socket socket, std::string reply) {
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    auto text = std::make_shared<std::string>(std::move(reply));
    asio::async_write(*s, asio::buffer(*text), [s, text](const asio::error_code&, std::size_t) {
        asio::error_code ignored;
        s->close(ignored);
    });
}

bool RelayServer::Impl::locked_out(const std::string& address) {
    auto found = auth_failures_.find(address);
    if (found == auth_failures_.end()) return false;
    auto& times = found->second;
    while (!times.empty() && Clock::now() - times.front() > settings_.lockout_window) times.pop_front();
    if (times.empty()) {
        auth_failures_.erase(found);
        return false;
    }
    return static_cast<int>(times.size()) >= settings_.auth_failures_before_lockout;
}

void RelayServer::Impl::auth_failed(const std::string& address) {
    auth_failures_[address].push_back(Clock::now());
}

void RelayServer::Impl::closed(const std::shared_ptr<Connection>& connection) {
    if (connections_.erase(connection) == 0) return;
    auto found = per_address_.find(connection->address());
    if (found != per_address_.end() && --found->second == 0) per_address_.erase(found);
}

void RelayServer::Impl::stop() {
    asio::post(*io_, [this] {
        stopping_ = true;
        asio::error_code ignored;
        acceptor_.close(ignored);
        const auto open = connections_;
        for (const auto& c : open) c->close_now();
        io_->stop();
    });
}

RelayServer::RelayServer(RelayServerSettings settings, const RelayCertificate& certificate, RelayDirectory& directory,
                         RelaySpool& spool)
    : impl_(std::make_unique<Impl>(std::move(settings), certificate, directory, spool)) {}

RelayServer::~RelayServer() = default;

void RelayServer::listen() { impl_->listen(); }
std::uint16_t RelayServer::port() const { return impl_->port(); }
void RelayServer::run() { impl_->run(); }
void RelayServer::stop() { impl_->stop(); }

}  // namespace tern::mail::relay
