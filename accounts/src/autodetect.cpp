// Autodetection: provider catalog, then DNS SRV, then probing the usual names; the choice per
// protocol. The probes themselves are in server_probe.cpp, the wording of failures in
// autodetect_report.cpp.
#include "tern/accounts/autodetect.hpp"

#include "server_probe.hpp"
#include "tern/accounts/provider_catalog.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

namespace tern::accounts {
namespace {

using Clock = std::chrono::steady_clock;
using mail::MailProtocol;
using mail::TlsMode;

struct SrvService {
    const char* prefix;  // "_imaps._tcp"
    TlsMode tls;
};

// RFC 6186 and RFC 8314 service names; implicit TLS first, as RFC 8314 prefers it.
std::vector<SrvService> srv_services(MailProtocol protocol) {
    switch (protocol) {
    case MailProtocol::Imap: return {{"_imaps._tcp", TlsMode::Ssl}, {"_imap._tcp", TlsMode::StartTls}};
    case MailProtocol::Pop3: return {{"_pop3s._tcp", TlsMode::Ssl}, {"_pop3._tcp", TlsMode::StartTls}};
    case MailProtocol::Smtp: return {{"_submissions._tcp", TlsMode::Ssl}, {"_submission._tcp", TlsMode::StartTls}};
    }
    return {};
}

// The names and ports people usually give their servers, in the order they are preferred.
std::vector<std::string> guessed_prefixes(MailProtocol protocol) {
    switch (protocol) {
    case MailProtocol::Imap: return {"imap.", "mail.", ""};
    case MailProtocol::Pop3: return {"pop.", "pop3.", "mail.", ""};
    case MailProtocol::Smtp: return {"smtp.", "mail.", ""};
    }
    return {};
}

std::vector<std::pair<int, TlsMode>> guessed_ports(MailProtocol protocol) {
    switch (protocol) {
    case MailProtocol::Imap: return {{993, TlsMode::Ssl}, {143, TlsMode::StartTls}};
    case MailProtocol::Pop3: return {{995, TlsMode::Ssl}, {110, TlsMode::StartTls}};
    case MailProtocol::Smtp: return {{465, TlsMode::Ssl}, {587, TlsMode::StartTls}};
    }
    return {};
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string domain_of(const std::string& email) {
    const auto at = email.rfind('@');
    std::string domain = at == std::string::npos ? std::string() : lower(email.substr(at + 1));
    if (!domain.empty() && domain.back() == '.') domain.pop_back();
    const bool valid = at != 0 && !domain.empty() && domain.front() != '.' && domain.find("..") == std::string::npos &&
                       std::all_of(domain.begin(), domain.end(), [](unsigned char c) {
                           return std::isalnum(c) || c == '-' || c == '.' || c >= 0x80;
                       });
    if (!valid)
        throw Error(ErrorCategory::BadInput, "\"" + email + "\" is not an email address: Tern needs NAME@DOMAIN to "
                                                             "look for its mail servers.");
    return domain;
}

std::string trimmed(const std::string& text) {
    const auto begin = text.find_first_not_of(" \t");
    if (begin == std::string::npos) return {};
    return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

std::vector<std::pair<std::string, std::string>> env_pairs(const char* variable, const char* form) {
    std::vector<std::pair<std::string, std::string>> pairs;
    const char* value = std::getenv(variable);
    if (value == nullptr || *value == '\0') return pairs;
    std::istringstream items(value);
    for (std::string item; std::getline(items, item, ',');) {
        item = trimmed(item);
        if (item.empty()) continue;
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
            throw Error(ErrorCategory::BadInput, std::string(variable) + " (a test setting) must read " + form + ",...: \"" +
                                                     item + "\" does not.");
        pairs.emplace_back(trimmed(item.substr(0, eq)), trimmed(item.substr(eq + 1)));
    }
    return pairs;
}

int port_number(const std::string& text, const char* variable) {
    const bool digits = !text.empty() && text.size() <= 5 &&
                        std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
    const int port = digits ? std::stoi(text) : 0;
    if (port < 1 || port > 65535)
        throw Error(ErrorCategory::BadInput,
                    std::string(variable) + " (a test setting): \"" + text + "\" is not a port from 1 to 65535.");
    return port;
}

// Every look-up on a thread of its own, all at once. A look-up that outlives the wait (the system
// resolver cannot be interrupted) is left to finish on its own; its answer is thrown away.
std::map<std::string, SrvAnswer> lookup_all(const std::shared_ptr<DnsResolver>& dns,
                                            const std::vector<std::string>& names, std::chrono::milliseconds timeout,
                                            const CancelToken& cancel) {
    struct Shared {
        std::mutex mutex;
        std::condition_variable done;
        std::map<std::string, SrvAnswer> answers;
    };
    auto shared = std::make_shared<Shared>();
    for (const auto& name : names) {
        std::thread([shared, dns, name, timeout] {
            SrvAnswer answer;
            try {
                answer = dns->lookup_srv(name, timeout);
            } catch (const std::exception& e) {
                answer = {SrvAnswer::Status::Failed, {}, e.what()};
            }
            std::lock_guard lock(shared->mutex);
            shared->answers[name] = std::move(answer);
            shared->done.notify_all();
        }).detach();
    }
    const auto deadline = Clock::now() + timeout;
    std::unique_lock lock(shared->mutex);
    while (shared->answers.size() < names.size()) {
        if (cancel.cancelled()) throw Error(ErrorCategory::Cancelled, {});
        const auto now = Clock::now();
        if (now >= deadline) break;
        shared->done.wait_for(lock, std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(100)));
    }
    auto answers = shared->answers;
    for (const auto& name : names)
        if (!answers.count(name))
            answers[name] = {SrvAnswer::Status::Failed, {},
                             "the DNS server did not answer within " + detail::duration_words(timeout)};
    return answers;
}

// The test hook TERN_AUTODETECT_PORTS: the port to try instead of `port`.
int mapped_port(const AutodetectOptions& options, int port) {
    const auto it = options.port_map.find(port);
    return it != options.port_map.end() ? it->second : port;
}

bool in_domain(const std::string& host, const std::string& domain) {
    if (host == domain) return true;
    const auto suffix = "." + domain;
    return host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// What the domain's SRV records say about one protocol: the servers to try, in order, or "not offered".
std::vector<detail::ProbeTarget> srv_targets(ProtocolDetection& result, const std::string& domain,
                                             const std::map<std::string, SrvAnswer>& answers,
                                             const AutodetectOptions& options, std::mt19937& random,
                                             const std::function<void(const std::string&)>& say) {
    std::vector<detail::ProbeTarget> targets;
    bool dot_only = false;
    for (const auto& service : srv_services(result.protocol)) {
        const std::string name = std::string(service.prefix) + "." + domain;
        const auto& answer = answers.at(name);
        if (answer.status == SrvAnswer::Status::Failed) {
            result.srv_error += (result.srv_error.empty() ? "" : "; ") + name + ": " + answer.error;
            say("  " + name + ": the look-up failed (" + answer.error + ")");
            continue;
        }
        if (answer.status != SrvAnswer::Status::Found) continue;
        result.srv_records = true;
        if (srv_not_offered(answer.records)) {
            dot_only = true;
            say("  " + name + ": \".\" (not offered)");
            continue;
        }
        for (const auto& record : order_srv_records(answer.records, random)) {
            mail::ServerEndpoint server{result.protocol, record.target, mapped_port(options, record.port), service.tls, {}};
            say("  " + name + ": " + record.target + ":" + std::to_string(record.port) + " (priority " +
                std::to_string(record.priority) + ", weight " + std::to_string(record.weight) + ")");
            if (!in_domain(record.target, domain))
                result.notes.push_back("The DNS of " + domain + " sends " + upper(mail::to_string(result.protocol)) +
                                       " to " + record.target + ", outside " + domain +
                                       ". Tern checks that server's certificate for that name; make sure the "
                                       "address is expected.");
            targets.push_back({std::move(server), DetectionSource::DnsSrv});
        }
    }
    result.srv_not_offered = dot_only && targets.empty();
    return targets;
}

std::vector<detail::ProbeTarget> guessed_targets(MailProtocol protocol, const std::string& domain,
                                                 const AutodetectOptions& options) {
    std::vector<detail::ProbeTarget> targets;
    for (const auto& prefix : guessed_prefixes(protocol))
        for (const auto& [port, tls] : guessed_ports(protocol)) {
            targets.push_back({{protocol, prefix + domain, mapped_port(options, port), tls, {}}, DetectionSource::Probe});
        }
    return targets;
}

// The first secure candidate in order of preference; a plaintext-only one only when allowed.
void choose(ProtocolDetection& result, bool allow_plaintext) {
    for (const auto& c : result.candidates)
        if (c.outcome == ServerCandidate::Outcome::Secure) {
            result.chosen = c.server;
            result.source = c.source;
            return;
        }
    for (const auto& c : result.candidates)
        if (c.outcome == ServerCandidate::Outcome::PlaintextOnly) {
            const auto where = c.server.host + ":" + std::to_string(c.server.port);
            if (allow_plaintext) {
                result.chosen = c.server;
                result.chosen->tls = TlsMode::None;
                result.source = c.source;
                result.notes.push_back(where + " offers no encryption: the password and all mail cross the network "
                                               "readable by anyone on the way.");
            } else {
                result.notes.push_back(where + " answers but offers no encryption, so Tern does not use it.");
            }
            return;
        }
}

void use_provider(Detection& detection, const Provider& provider) {
    detection.provider_id = provider.id;
    for (auto& p : detection.protocols)
        if (const auto it = provider.servers.find(p.protocol); it != provider.servers.end()) {
            p.chosen = it->second;
            p.source = DetectionSource::Provider;
        }
}

// Every server to probe, all protocols together: the SRV targets of a protocol when its domain
// has any, else the usual names; nothing for a protocol the domain says it does not offer.
std::vector<detail::ProbeTarget> plan_probes(Detection& detection, const std::map<std::string, SrvAnswer>& answers,
                                             const AutodetectOptions& options,
                                             const std::function<void(const std::string&)>& say,
                                             std::vector<std::size_t>& owner) {
    std::mt19937 random(options.random_seed ? options.random_seed : std::random_device{}());
    std::vector<detail::ProbeTarget> targets;
    bool srv_reported = false;  // a record or a failure was reported above
    for (std::size_t i = 0; i < detection.protocols.size(); ++i) {
        auto& result = detection.protocols[i];
        auto list = srv_targets(result, detection.domain, answers, options, random, say);
        srv_reported = srv_reported || result.srv_records || !result.srv_error.empty();
        if (result.srv_not_offered) continue;
        if (list.empty()) list = guessed_targets(result.protocol, detection.domain, options);
        std::set<std::pair<std::string, int>> seen;
        for (auto& target : list)
            if (seen.insert({target.server.host, target.server.port}).second) {
                targets.push_back(std::move(target));
                owner.push_back(i);
            }
    }
    if (!srv_reported) say("  none");
    return targets;
}

std::string candidate_label(const ServerCandidate& c) {
    return upper(mail::to_string(c.server.protocol)) + " " + c.server.host + ":" + std::to_string(c.server.port) +
           (c.server.tls == TlsMode::Ssl ? " (TLS)" : "");
}

}  // namespace

std::string_view to_string(DetectionSource source) {
    switch (source) {
    case DetectionSource::Provider: return "provider";
    case DetectionSource::DnsSrv: return "dns-srv";
    case DetectionSource::Probe: return "probe";
    }
    return "probe";
}

const ProtocolDetection* Detection::find(MailProtocol protocol) const {
    for (const auto& p : protocols)
        if (p.protocol == protocol) return &p;
    return nullptr;
}

std::optional<mail::ServerEndpoint> Detection::chosen(MailProtocol protocol) const {
    const auto* p = find(protocol);
    return p ? p->chosen : std::nullopt;
}

AutodetectOptions autodetect_options_from_environment() {
    AutodetectOptions options;
    for (const auto& [name, address] : env_pairs("TERN_AUTODETECT_HOSTS", "NAME=ADDRESS"))
        options.host_addresses[lower(name)] = address;
    for (const auto& [from, to] : env_pairs("TERN_AUTODETECT_PORTS", "PORT=PORT"))
        options.port_map[port_number(from, "TERN_AUTODETECT_PORTS")] = port_number(to, "TERN_AUTODETECT_PORTS");
    return options;
}

Detection detect_servers(const std::string& email, const ProviderCatalog* catalog, const AutodetectOptions& options,
                         const CancelToken& cancel) {
    const auto started = Clock::now();
    Detection detection;
    detection.email = email;
    detection.domain = domain_of(email);
    detection.probe_timeout = options.probe_timeout;
    const auto say = [&](const std::string& line) {
        if (options.progress) options.progress(line);
    };
    const auto& domain = detection.domain;
    for (auto protocol : options.protocols) {
        detection.protocols.emplace_back();
        detection.protocols.back().protocol = protocol;
    }

    // A provider without servers (the generic one) says nothing about where the mail is.
    if (const Provider* provider = catalog ? catalog->for_email(email) : nullptr; provider && !provider->servers.empty()) {
        say("providers.json knows " + domain + ": " + provider->display_name + ".");
        use_provider(detection, *provider);
        return detection;
    }

    say("Looking up the DNS SRV records of " + domain + "...");
    std::vector<std::string> names;
    for (auto protocol : options.protocols)
        for (const auto& service : srv_services(protocol)) names.push_back(std::string(service.prefix) + "." + domain);
    const auto dns = options.dns ? options.dns : make_system_dns_resolver();
    const auto answers = lookup_all(dns, names, options.probe_timeout, cancel);
    std::vector<std::size_t> owner;  // per target: its index in detection.protocols
    const auto targets = plan_probes(detection, answers, options, say, owner);
    cancel.throw_if_cancelled();

    detail::ProbeSettings settings{options.probe_timeout, options.trust, {}};
    for (const auto& [name, address] : options.host_addresses) settings.host_addresses[lower(name)] = address;
    if (!targets.empty())
        say("Trying " + std::to_string(targets.size()) + " servers at once (each up to " +
            detail::duration_words(options.probe_timeout) + ")...");
    auto candidates = detail::probe_servers(targets, settings, cancel, [&](const ServerCandidate& c) {
        say("  " + candidate_label(c) + ": " + c.reason);
    });
    for (std::size_t i = 0; i < candidates.size(); ++i)
        detection.protocols[owner[i]].candidates.push_back(std::move(candidates[i]));
    for (auto& result : detection.protocols) choose(result, options.allow_plaintext);

    detection.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    spdlog::info("autodetect {}: {} probes in {} ms", domain, targets.size(), detection.elapsed.count());
    return detection;
}

}  // namespace tern::accounts
