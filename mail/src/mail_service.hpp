// One connected, signed-in vmime service (an IMAP or POP3 store, or an SMTP transport), built from
// ConnectionOptions: Tern's certificate check, time-out and cancel, SASL, the protocol recorder,
// and one more sign-in attempt when the credentials say a fresh token is worth it.
#pragma once

#include "credentials_authenticator.hpp"
#include "protocol_recorder.hpp"
#include "tern/mail/connection_options.hpp"

#include <vmime/net/session.hpp>
#include <vmime/net/store.hpp>
#include <vmime/net/transport.hpp>

#include <memory>
#include <string>

namespace tern::mail::detail {

class MailService {
public:
    // Connects and signs in. Throws tern::Error (every category of to_mail_error).
    explicit MailService(ConnectionOptions options);
    ~MailService();  // logs out, ignoring errors: the connection is going away either way
    MailService(const MailService&) = delete;
    MailService& operator=(const MailService&) = delete;

    vmime::shared_ptr<vmime::net::store> store() const;          // IMAP, POP3
    vmime::shared_ptr<vmime::net::transport> transport() const;  // SMTP
    const ConnectionOptions& options() const { return options_; }
    const ProtocolRecorder& recorder() const { return *recorder_; }
    bool secured() const;

    // Runs `work` and turns anything it throws into a tern::Error, worded as "while <doing> host".
    template <typename Work>
    auto guarded(const std::string& doing, Work&& work) const -> decltype(work()) {
        try {
            return work();
        } catch (...) {
            raise(std::current_exception(), doing);
        }
    }
    Error failure(std::exception_ptr thrown, const std::string& doing) const;
    // Closes the socket without a goodbye (LOGOUT, QUIT): for a connection a failure left in an
    // unknown state. vmime's own teardown of such a connection is not safe.
    void abandon() noexcept;
    // Throws what failure() gives, or `thrown` itself when it already is a tern::Error (so that
    // subclasses such as CertificateRejected keep what they carry).
    [[noreturn]] void raise(std::exception_ptr thrown, const std::string& doing) const;

private:
    void connect_once(const SaslLogin& login);

    ConnectionOptions options_;
    std::shared_ptr<ProtocolRecorder> recorder_ = std::make_shared<ProtocolRecorder>();
    vmime::shared_ptr<vmime::net::session> session_;
    vmime::shared_ptr<vmime::net::service> service_;
    vmime::shared_ptr<CredentialsAuthenticator> authenticator_;
};

}  // namespace tern::mail::detail
