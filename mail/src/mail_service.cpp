#include "mail_service.hpp"

#include "cancellable_timeout.hpp"
#include "certificate_verifier.hpp"
#include "mail_error.hpp"
#include "tern/mail/mail_library.hpp"

#include <vmime/net/imap/IMAPConnection.hpp>
#include <vmime/net/imap/IMAPStore.hpp>
#include <vmime/net/pop3/POP3Connection.hpp>
#include <vmime/net/pop3/POP3Store.hpp>
#include <vmime/net/smtp/SMTPConnection.hpp>
#include <vmime/net/smtp/SMTPTransport.hpp>
#include <vmime/net/socket.hpp>

#include <spdlog/spdlog.h>

namespace tern::mail::detail {
namespace {

std::string url_scheme(const ServerEndpoint& server) {
    const bool implicit_tls = server.tls == TlsMode::Ssl;
    switch (server.protocol) {
        case MailProtocol::Imap: return implicit_tls ? "imaps" : "imap";
        case MailProtocol::Pop3: return implicit_tls ? "pop3s" : "pop3";
        case MailProtocol::Smtp: return implicit_tls ? "smtps" : "smtp";
    }
    return "imap";
}

}  // namespace

MailService::MailService(ConnectionOptions options) : options_(std::move(options)) {
    initialise_mail_library();
    const CancelToken& cancel = options_.cancel_token();
    if (!options_.credentials)
        throw Error(ErrorCategory::Internal, {}, "MailService without credentials for " + server_name(options_.server));
    cancel.throw_if_cancelled();
    SaslLogin login = options_.credentials->login(cancel);
    for (int attempt = 0;; ++attempt) {
        try {
            connect_once(login);
            return;
        } catch (...) {
            const auto thrown = std::current_exception();
            const Error error = failure(thrown, "signing in to");
            service_.reset();
            if (error.category() != ErrorCategory::AuthRejected) raise(thrown, "signing in to");
            // Told every time, so the credentials learn that even a fresh token was refused.
            const bool again = options_.credentials->refused(login, error);
            if (!again || attempt > 0) throw error;
            spdlog::info("{} refused the sign-in of {}; trying once more with new credentials",
                         server_name(options_.server), login.user);
            cancel.throw_if_cancelled();
            login = options_.credentials->login(cancel);
        }
    }
}

void MailService::connect_once(const SaslLogin& login) {
    const auto& server = options_.server;
    session_ = vmime::net::session::create();
    authenticator_ = vmime::make_shared<CredentialsAuthenticator>(login, server.host, server.port);
    const vmime::utility::url url(url_scheme(server), server.host, static_cast<vmime::port_t>(server.port));
    if (server.protocol == MailProtocol::Smtp)
        service_ = session_->getTransport(url, authenticator_);
    else
        service_ = session_->getStore(url, authenticator_);

    const bool starttls = server.tls == TlsMode::StartTls;
    const bool password = login.mechanism == SaslMechanism::Password;
    service_->setProperty("connection.tls", starttls);
    service_->setProperty("connection.tls.required", starttls);
    service_->setProperty("options.sasl", true);
    // The protocols' own password commands (IMAP LOGIN, POP3 USER/PASS) only for passwords.
    service_->setProperty("options.sasl.fallback", password);
    service_->setProperty("options.need-authentication", true);
    service_->setProperty("options.apop", false);
    service_->setProperty("options.apop.fallback", false);
    service_->setCertificateVerifier(vmime::make_shared<CertificateVerifier>(options_.trust));
    service_->setTimeoutHandlerFactory(
        vmime::make_shared<CancellableTimeoutFactory>(options_.timeout, options_.cancel));
    service_->setTracerFactory(vmime::make_shared<RecordingTracerFactory>(recorder_));

    service_->connect();
    if (server.tls != TlsMode::None && !service_->isSecuredConnection())
        throw Error(ErrorCategory::TlsHandshake,
                    server_name(server) + " did not set up an encrypted connection, which this account requires.",
                    "connected without TLS");
}

MailService::~MailService() {
    if (!service_) return;
    try {
        if (service_->isConnected()) service_->disconnect();
    } catch (...) {
        // Logging out of a connection that is already broken fails; nothing is lost.
    }
}

void MailService::abandon() noexcept {
    try {
        vmime::shared_ptr<vmime::net::socket> socket;
        if (auto imap = vmime::dynamicCast<vmime::net::imap::IMAPStore>(service_)) {
            if (auto c = imap->getConnection()) socket = std::const_pointer_cast<vmime::net::socket>(c->getSocket());
        } else if (auto pop3 = vmime::dynamicCast<vmime::net::pop3::POP3Store>(service_)) {
            if (auto c = pop3->getConnection()) socket = c->getSocket();
        } else if (auto smtp = vmime::dynamicCast<vmime::net::smtp::SMTPTransport>(service_)) {
            if (auto c = smtp->getConnection()) socket = c->getSocket();
        }
        if (socket) socket->disconnect();
    } catch (...) {
        // Already closed.
    }
}

vmime::shared_ptr<vmime::net::store> MailService::store() const {
    return vmime::dynamicCast<vmime::net::store>(service_);
}

vmime::shared_ptr<vmime::net::transport> MailService::transport() const {
    return vmime::dynamicCast<vmime::net::transport>(service_);
}

bool MailService::secured() const { return service_ && service_->isSecuredConnection(); }

Error MailService::failure(std::exception_ptr thrown, const std::string& doing) const {
    return to_mail_error(thrown, {options_.server, doing, recorder_.get(), authenticator_.get(),
                                  options_.cancel.get(), static_cast<int>(options_.timeout.count())});
}

void MailService::raise(std::exception_ptr thrown, const std::string& doing) const {
    try {
        std::rethrow_exception(thrown);
    } catch (const Error&) {
        throw;
    } catch (...) {
        throw failure(thrown, doing);
    }
}

}  // namespace tern::mail::detail
