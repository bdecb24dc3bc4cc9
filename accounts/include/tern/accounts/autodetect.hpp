// Autodetection of an address's mail servers for the setup wizard and `tern-cli account add`:
// the provider catalog first, then DNS SRV records (RFC 6186, RFC 8314), then probing the usual
// host names; every probe in parallel, each with a short timeout, all of it cancellable.
#pragma once

#include "tern/accounts/dns_srv.hpp"
#include "tern/core/cancellation.hpp"
#include "tern/core/error.hpp"
#include "tern/mail/server_endpoint.hpp"
#include "tern/mail/tls_trust.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::accounts {

class ProviderCatalog;

enum class DetectionSource { Provider, DnsSrv, Probe };
std::string_view to_string(DetectionSource source);  // "provider", "dns-srv", "probe"

// One server Tern tried for a protocol, and what it found there.
struct ServerCandidate {
    enum class Outcome {
        Secure,         // greeted over TLS with a trusted certificate (server.tls: ssl or starttls)
        PlaintextOnly,  // greeted, but offers no STARTTLS: only usable unencrypted
        Failed,         // see `problem` and `reason`
    };
    mail::ServerEndpoint server;  // tls: implicit TLS tried (ssl) or plaintext greeting + STARTTLS
    DetectionSource source = DetectionSource::Probe;
    Outcome outcome = Outcome::Failed;
    std::optional<ErrorCategory> problem;  // Failed: network, timeout, tls-certificate, tls-handshake, protocol
    std::string reason;                    // plain words: "refused the connection", "did not answer within 3 s"
    std::string detail;                    // for the log: the library's own words
    std::string certificate_sha256;        // the server's certificate, when one was seen ("ab:cd:...")
    std::string greeting;                  // the server's first line
    std::chrono::milliseconds elapsed{0};
};

// What autodetection found for one protocol.
struct ProtocolDetection {
    mail::MailProtocol protocol = mail::MailProtocol::Imap;
    std::optional<mail::ServerEndpoint> chosen;  // the server to use; none: nothing usable found
    DetectionSource source = DetectionSource::Probe;  // where `chosen` came from
    bool srv_records = false;      // the domain has SRV records for this protocol
    bool srv_not_offered = false;  // ... and they say "." (service decidedly not offered)
    std::string srv_error;         // the DNS look-up failed (not the same as "no records")
    std::vector<ServerCandidate> candidates;  // in the order of preference
    std::vector<std::string> notes;           // for a person: plaintext-only servers, SRV targets elsewhere
};

struct Detection {
    std::string email;
    std::string domain;
    std::string provider_id;  // set when the provider catalog knows the domain
    std::vector<ProtocolDetection> protocols;  // IMAP, POP3, SMTP (those asked for)
    std::chrono::milliseconds probe_timeout{0};
    std::chrono::milliseconds elapsed{0};

    const ProtocolDetection* find(mail::MailProtocol protocol) const;
    std::optional<mail::ServerEndpoint> chosen(mail::MailProtocol protocol) const;
};

struct AutodetectOptions {
    std::chrono::milliseconds probe_timeout{3000};  // per probe and per DNS look-up
    std::vector<mail::MailProtocol> protocols{mail::MailProtocol::Imap, mail::MailProtocol::Pop3,
                                              mail::MailProtocol::Smtp};
    mail::TlsTrust trust = mail::TlsTrust::from_environment();
    std::shared_ptr<DnsResolver> dns;  // nullptr: the system's resolver
    // Use a server that offers no encryption when nothing else answers (off: it is reported only).
    bool allow_plaintext = false;
    // Test hooks (see autodetect_options_from_environment): host name -> address to connect to;
    // when not empty, names that are not listed count as not existing. Port remapping applies
    // to every port tried, and the chosen server carries the remapped port.
    std::map<std::string, std::string> host_addresses;
    std::map<int, int> port_map;
    // Progress for a person, one line at a time, called on the detecting thread.
    std::function<void(const std::string&)> progress;
    unsigned random_seed = 0;  // for the SRV weight draw; 0: random
};

// Defaults plus TERN_CA_FILE (through TlsTrust) and the two test-only hooks:
//   TERN_AUTODETECT_HOSTS="imap.example.test=127.0.0.1,smtp.example.test=127.0.0.1"
//   TERN_AUTODETECT_PORTS="993=41993,143=41143,587=41587"
// They exist so integration tests can point the probes at the servers of tests/env; nothing else
// should set them. Throws tern::Error (BadInput) naming the variable when one is malformed.
AutodetectOptions autodetect_options_from_environment();

// Finds the servers of `email`'s domain. `catalog` may be nullptr (providers.json unreadable).
// Returns what was found, also when nothing usable was (see no_server_error). Throws
// tern::Error: BadInput (not an address), Cancelled (within about 100 ms of `cancel`).
Detection detect_servers(const std::string& email, const ProviderCatalog* catalog, const AutodetectOptions& options,
                         const CancelToken& cancel);

// The error for a person when none of `protocols` has a server: what was tried and why it did
// not do, then `manual_hint` (how to give the servers by hand in this front end). The category
// is the most telling one: tls-certificate (the fingerprint is in the message), tls-handshake
// (only unencrypted servers answer), not-found (the domain says it offers none), timeout, network.
Error no_server_error(const Detection& detection, const std::vector<mail::MailProtocol>& protocols,
                      const std::string& manual_hint);

// "imap.example.org:993 ssl (probe)" and the like, for listings.
std::string describe_choice(const ProtocolDetection& protocol);

}  // namespace tern::accounts
