// Autodetection in a person's words: what was chosen, and when nothing was, what was tried and why
// each server did not do ("imap.example.org did not answer on 993 or 143 within 3 s").
#include "tern/accounts/autodetect.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

namespace tern::accounts {
namespace {

using mail::MailProtocol;

std::string upper(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// "a", "a and b", "a, b and c"
std::string join(const std::vector<std::string>& parts, const std::string& last = " and ") {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += i + 1 == parts.size() ? last : ", ";
        out += parts[i];
    }
    return out;
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

std::string reason_of(const ServerCandidate& c) {
    if (c.problem == ErrorCategory::TlsCertificate && !c.certificate_sha256.empty())
        return c.reason + " (SHA-256 " + c.certificate_sha256 + ")";
    return c.reason;
}

// What one host did on the ports tried: "imap.example.org did not answer on 993 or 143 within 3 s".
std::string host_phrase(const std::string& host, const std::vector<const ServerCandidate*>& tried) {
    std::vector<std::string> ports;
    for (const auto* c : tried) ports.push_back(std::to_string(c->server.port));
    const auto& first = reason_of(*tried.front());
    const bool same = std::all_of(tried.begin(), tried.end(), [&](const auto* c) { return reason_of(*c) == first; });
    if (same) {
        if (starts_with(first, "did not answer within "))
            return host + " did not answer on " + join(ports, " or ") + first.substr(std::string("did not answer").size());
        if (first == "refused the connection")
            return host + " refused " + (ports.size() > 1 ? "connections" : "the connection") + " on " + join(ports);
        if (starts_with(first, "has no address") || starts_with(first, "could not be looked up")) return host + " " + first;
        return host + " (port " + join(ports) + ") " + first;
    }
    std::vector<std::string> parts;
    for (const auto* c : tried) parts.push_back(host + ":" + std::to_string(c->server.port) + " " + reason_of(*c));
    return join(parts);
}

// Everything tried for one protocol, host by host in the order they were tried.
std::string candidates_story(const ProtocolDetection& p) {
    std::vector<std::string> hosts;
    std::vector<std::vector<const ServerCandidate*>> tried;
    for (const auto& c : p.candidates) {
        const auto it = std::find(hosts.begin(), hosts.end(), c.server.host);
        if (it == hosts.end()) {
            hosts.push_back(c.server.host);
            tried.push_back({&c});
        } else {
            tried[static_cast<std::size_t>(it - hosts.begin())].push_back(&c);
        }
    }
    std::vector<std::string> phrases;
    for (std::size_t i = 0; i < hosts.size(); ++i) phrases.push_back(host_phrase(hosts[i], tried[i]));
    return join(phrases);
}

std::string protocol_story(const Detection& d, const ProtocolDetection& p) {
    const auto name = upper(mail::to_string(p.protocol));
    if (!d.provider_id.empty())
        return "providers.json describes " + d.domain + " (provider \"" + d.provider_id + "\") without an " + name +
               " server";
    if (p.srv_not_offered) return "the DNS of " + d.domain + " says it offers no " + name + " (SRV target \".\")";
    std::string start;
    if (p.srv_records) {
        std::vector<std::string> targets;
        for (const auto& c : p.candidates)
            if (std::find(targets.begin(), targets.end(), c.server.host) == targets.end()) targets.push_back(c.server.host);
        start = "its SRV records point to " + join(targets);
    } else if (!p.srv_error.empty()) {
        start = "the SRV look-up failed (" + p.srv_error + ")";
    } else {
        start = "no SRV records";
    }
    const auto story = candidates_story(p);
    return story.empty() ? start : start + ", and " + story;
}

bool any_candidate(const std::vector<const ProtocolDetection*>& wanted,
                   const std::function<bool(const ServerCandidate&)>& test) {
    for (const auto* p : wanted)
        if (std::any_of(p->candidates.begin(), p->candidates.end(), test)) return true;
    return false;
}

ErrorCategory most_telling(const std::vector<const ProtocolDetection*>& wanted) {
    const auto problem_is = [](ErrorCategory category) {
        return [category](const ServerCandidate& c) { return c.problem == category; };
    };
    if (any_candidate(wanted, problem_is(ErrorCategory::TlsCertificate))) return ErrorCategory::TlsCertificate;
    if (any_candidate(wanted, [](const auto& c) { return c.outcome == ServerCandidate::Outcome::PlaintextOnly; }))
        return ErrorCategory::TlsHandshake;
    if (any_candidate(wanted, problem_is(ErrorCategory::TlsHandshake))) return ErrorCategory::TlsHandshake;
    if (std::all_of(wanted.begin(), wanted.end(), [](const auto* p) { return p->srv_not_offered || p->candidates.empty(); }))
        return ErrorCategory::NotFound;
    const bool all_timeouts = std::all_of(wanted.begin(), wanted.end(), [](const auto* p) {
        return std::all_of(p->candidates.begin(), p->candidates.end(),
                           [](const auto& c) { return c.problem == ErrorCategory::Timeout; });
    });
    return all_timeouts ? ErrorCategory::Timeout : ErrorCategory::Network;
}

}  // namespace

Error no_server_error(const Detection& detection, const std::vector<MailProtocol>& protocols,
                      const std::string& manual_hint) {
    std::vector<const ProtocolDetection*> wanted;
    std::vector<std::string> names;
    for (auto protocol : protocols)
        if (const auto* p = detection.find(protocol)) {
            wanted.push_back(p);
            names.push_back(upper(mail::to_string(protocol)));
        }
    if (wanted.empty()) return Error(ErrorCategory::Internal, {}, "no_server_error: no such protocol was detected");

    std::string message = "No " + join(names, " or ") + " server found for " + detection.domain;
    if (wanted.size() == 1) {
        message += ": " + protocol_story(detection, *wanted.front()) + ".";
    } else {
        message += ".";
        for (const auto* p : wanted)
            message += " " + upper(mail::to_string(p->protocol)) + ": " + protocol_story(detection, *p) + ".";
    }
    if (any_candidate(wanted, [](const auto& c) { return c.outcome == ServerCandidate::Outcome::PlaintextOnly; }))
        message += " Tern does not pick a server without encryption by itself: the password and the mail would cross "
                   "the network readable. If you accept that, give the server by hand with the TLS word \"none\".";
    if (!manual_hint.empty()) message += " " + manual_hint;

    std::string detail;
    for (const auto* p : wanted)
        for (const auto& c : p->candidates)
            detail += std::string(detail.empty() ? "" : "; ") + c.server.host + ":" + std::to_string(c.server.port) +
                      " " + std::string(mail::to_string(c.server.tls)) + " " + std::string(to_string(c.source)) + ": " +
                      c.detail;
    return Error(most_telling(wanted), message, detail);
}

std::string describe_choice(const ProtocolDetection& protocol) {
    if (!protocol.chosen) return "none found";
    const auto& s = *protocol.chosen;
    return s.host + ":" + std::to_string(s.port) + " " + std::string(mail::to_string(s.tls)) + " (" +
           std::string(to_string(protocol.source)) + ")";
}

}  // namespace tern::accounts
