// Everything needed to open one authenticated connection to a mail server.
#pragma once

#include "tern/core/cancellation.hpp"
#include "tern/mail/sasl_credentials.hpp"
#include "tern/mail/server_endpoint.hpp"
#include "tern/mail/tls_trust.hpp"

#include <chrono>
#include <memory>

namespace tern::mail {

struct ConnectionOptions {
    ServerEndpoint server;
    std::shared_ptr<SaslCredentials> credentials;
    TlsTrust trust = TlsTrust::from_environment();
    // How long the server may stay silent while Tern waits for it (connect, each reply).
    std::chrono::seconds timeout{30};
    // Checked while connecting and waiting; nullptr: cannot be cancelled.
    std::shared_ptr<const CancelToken> cancel;

    // `cancel`, or a token nobody cancels: what the long work checks and waits on.
    const CancelToken& cancel_token() const {
        static const CancelToken never;
        return cancel ? *cancel : never;
    }
};

}  // namespace tern::mail
