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
};

}  // namespace tern::mail
