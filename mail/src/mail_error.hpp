// The one place where what vmime throws becomes a tern::Error with a category the fallback policy
// and the retry loops act on, the server's own words, and a sentence a person can act on.
#pragma once

#include "credentials_authenticator.hpp"
#include "protocol_recorder.hpp"
#include "tern/core/cancellation.hpp"
#include "tern/core/error.hpp"
#include "tern/mail/server_endpoint.hpp"

#include <exception>
#include <string>

namespace tern::mail::detail {

struct FailureContext {
    const ServerEndpoint& server;
    std::string doing;                                  // "connecting to", "reading INBOX from", ...
    const ProtocolRecorder* recorder = nullptr;
    const CredentialsAuthenticator* authenticator = nullptr;
    const CancelToken* cancel = nullptr;
    int timeout_seconds = 0;
};

Error to_mail_error(std::exception_ptr thrown, const FailureContext& context);

// "host:port" as a person reads it.
std::string server_name(const ServerEndpoint& server);

}  // namespace tern::mail::detail
