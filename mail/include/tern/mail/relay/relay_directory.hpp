// What the relay asks of the rest of Tern without knowing it: which device a relay user and
// password belong to, how to sign in upstream as that device's mailbox, and where to record what
// happened to its mail. accounts/ answers from the device registry, the credential store and the
// device's tokens (DESIGN §1: mail/ never depends on auth/ or accounts/); tests answer with fakes.
#pragma once

#include "tern/core/error.hpp"
#include "tern/core/secret.hpp"
#include "tern/mail/connection_options.hpp"
#include "tern/mail/relay/smtp_server_session.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::mail::relay {

class RelayDirectory {
public:
    virtual ~RelayDirectory() = default;

    // The device whose relay credentials these are, or nullopt. May block (a keyring lookup);
    // the relay calls it off its network thread. Compares in constant time.
    virtual std::optional<RelayIdentity> authenticate(std::string_view user, const Secret& password) = 0;

    // How to reach and sign in to the upstream server as the device's mailbox. Throws tern::Error
    // when the device cannot send now (its mailbox is not signed in: TokenExpired / NotFound ...).
    virtual ConnectionOptions upstream(std::int64_t device_id) = 0;

    // Counters and the last error, per device (tern-cli device show, the devices pane).
    virtual void spooled(std::int64_t device_id, int count) = 0;
    virtual void delivered(std::int64_t device_id) = 0;
    virtual void failed(std::int64_t device_id, const std::string& why) = 0;
    // Not delivered yet, will be retried; `error` says why (the relay keeps the message).
    virtual void deferred(std::int64_t device_id, const Error& error) = 0;
};

}  // namespace tern::mail::relay
