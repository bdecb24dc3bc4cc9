// Probing mail servers for autodetection: connect, read the greeting (over TLS, or in plain text
// and then STARTTLS when the server offers it), check the certificate, hang up. Every probe of a
// batch runs at once on one libcurl multi handle (curl speaks IMAP, POP3 and SMTP, does STARTTLS
// only when CAPABILITY/CAPA/EHLO advertise it, and verifies certificates with OpenSSL).
#pragma once

#include "tern/accounts/autodetect.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace tern::accounts::detail {

struct ProbeTarget {
    mail::ServerEndpoint server;  // tls: Ssl = TLS from the first byte; StartTls = plain greeting, upgrade if offered
    DetectionSource source = DetectionSource::Probe;
};

struct ProbeSettings {
    std::chrono::milliseconds timeout{3000};  // the whole probe: look-up, connect, TLS, greeting
    mail::TlsTrust trust;
    std::map<std::string, std::string> host_addresses;  // test hook: when not empty, the only names that exist
};

// Probes every target at once; returns one candidate per target, in the same order. `finished`
// runs on this thread as each probe ends. Throws tern::Error: Cancelled (checked every 100 ms),
// BadInput when the extra CA file cannot be used.
std::vector<ServerCandidate> probe_servers(const std::vector<ProbeTarget>& targets, const ProbeSettings& settings,
                                           const CancelToken& cancel,
                                           const std::function<void(const ServerCandidate&)>& finished);

// "3 s", "0.5 s", "250 ms": durations in messages.
std::string duration_words(std::chrono::milliseconds duration);

}  // namespace tern::accounts::detail
