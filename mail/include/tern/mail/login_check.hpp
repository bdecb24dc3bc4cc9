// Proves that a server accepts a login: connect, TLS as configured, sign in, log out. Used by the
// setup wizard, the fallback policy's tests of the fallback servers, and the device checks.
#pragma once

#include "tern/mail/connection_options.hpp"

#include <string>

namespace tern::mail {

struct LoginCheck {
    bool encrypted = false;       // TLS was in use when the credentials were sent
    std::string server_reply;     // the server's last line (its greeting or sign-in answer)
};

// Throws tern::Error: TlsCertificate / TlsHandshake / Network / Timeout / AuthRejected / ...
LoginCheck check_login(const ConnectionOptions& options);

}  // namespace tern::mail
