// tern-cli account add: an account from its provider's settings, from servers given on the
// command line, or from autodetection (DNS SRV, then probing the usual names) when neither
// applies; signed in before it is kept (password tested, or OAuth by browser/device code).
#include "commands.hpp"
#include "interrupt.hpp"
#include "open_account.hpp"
#include "password_prompt.hpp"

#include "tern/accounts/account_repository.hpp"
#include "tern/accounts/autodetect.hpp"
#include "tern/mail/login_check.hpp"

#include <csignal>
#include <iostream>
#include <optional>
#include <pthread.h>

namespace tern::cli {
namespace {

void use_server(accounts::Account& account, mail::ServerEndpoint server) {
    for (auto& s : account.servers)
        if (s.protocol == server.protocol) {
            s = std::move(server);
            return;
        }
    account.servers.push_back(std::move(server));
}

// Ctrl-C cancels what runs inside; afterwards the signals behave as before (the password prompt
// that follows is not cancellable, as before autodetection existed).
class InterruptibleScope {
public:
    explicit InterruptibleScope(CancelToken& token) {
        pthread_sigmask(SIG_BLOCK, nullptr, &before_);
        interrupt_.emplace(token);
    }
    ~InterruptibleScope() {
        interrupt_.reset();
        pthread_sigmask(SIG_SETMASK, &before_, nullptr);
    }
    InterruptibleScope(const InterruptibleScope&) = delete;
    InterruptibleScope& operator=(const InterruptibleScope&) = delete;

private:
    sigset_t before_{};
    std::optional<CancelOnInterrupt> interrupt_;
};

accounts::Detection autodetect(const OpenProfile& open, const std::string& email) {
    auto options = accounts::autodetect_options_from_environment();
    options.progress = [](const std::string& line) { std::cerr << line << '\n'; };
    CancelToken cancel;
    InterruptibleScope interruptible(cancel);
    try {
        return accounts::detect_servers(email, open.catalog ? &*open.catalog : nullptr, options, cancel);
    } catch (const Error& e) {
        if (e.category() != ErrorCategory::Cancelled) throw;
        throw Error(ErrorCategory::Cancelled, "Looking for the mail servers of " + email +
                                                  " was cancelled; nothing was added.");
    }
}

// The servers autodetection chose: IMAP (else POP3) and SMTP; an error that says what was tried
// when one side is missing.
void use_detected_servers(accounts::Account& account, const accounts::Detection& detection) {
    const std::string by_hand = "Enter the servers by hand with --imap HOST:PORT:TLS (or --pop3) and --smtp HOST:PORT:TLS.";
    auto incoming = detection.chosen(mail::MailProtocol::Imap);
    if (!incoming) incoming = detection.chosen(mail::MailProtocol::Pop3);
    const auto outgoing = detection.chosen(mail::MailProtocol::Smtp);
    if (!incoming)
        throw accounts::no_server_error(detection, {mail::MailProtocol::Imap, mail::MailProtocol::Pop3}, by_hand);
    if (!outgoing) throw accounts::no_server_error(detection, {mail::MailProtocol::Smtp}, by_hand);
    use_server(account, *incoming);
    use_server(account, *outgoing);
}

void print_detection(const accounts::Detection& detection) {
    std::cout << "Servers found for " << detection.domain << ":\n";
    for (const auto& p : detection.protocols)
        std::cout << "  " << mail::to_string(p.protocol) << "  " << accounts::describe_choice(p) << '\n';
    std::cout << std::flush;
    for (const auto& p : detection.protocols)
        for (const auto& note : p.notes) std::cerr << "Note: " << note << '\n';
}

nlohmann::json endpoint_json(const std::optional<mail::ServerEndpoint>& server, accounts::DetectionSource source) {
    if (!server) return nullptr;
    return {{"host", server->host},
            {"port", server->port},
            {"tls", std::string(mail::to_string(server->tls))},
            {"source", std::string(to_string(source))}};
}

std::string_view outcome_name(accounts::ServerCandidate::Outcome outcome) {
    switch (outcome) {
    case accounts::ServerCandidate::Outcome::Secure: return "secure";
    case accounts::ServerCandidate::Outcome::PlaintextOnly: return "plaintext-only";
    case accounts::ServerCandidate::Outcome::Failed: return "failed";
    }
    return "failed";
}

nlohmann::json detection_json(const accounts::Detection& detection) {
    nlohmann::json servers = nlohmann::json::object(), candidates = nlohmann::json::array(),
                   notes = nlohmann::json::array();
    for (const auto& p : detection.protocols) {
        servers[std::string(mail::to_string(p.protocol))] = endpoint_json(p.chosen, p.source);
        for (const auto& note : p.notes) notes.push_back(note);
        for (const auto& c : p.candidates)
            candidates.push_back({{"protocol", std::string(mail::to_string(c.server.protocol))},
                                  {"host", c.server.host},
                                  {"port", c.server.port},
                                  {"tls", std::string(mail::to_string(c.server.tls))},
                                  {"source", std::string(to_string(c.source))},
                                  {"result", std::string(outcome_name(c.outcome))},
                                  {"category", c.problem ? nlohmann::json(std::string(to_string(*c.problem))) : nullptr},
                                  {"reason", c.reason},
                                  {"certificate_sha256", c.certificate_sha256},
                                  {"greeting", c.greeting},
                                  {"elapsed_ms", c.elapsed.count()}});
    }
    return {{"domain", detection.domain}, {"servers", servers},     {"candidates", candidates},
            {"notes", notes},             {"elapsed_ms", detection.elapsed.count()}};
}

}  // namespace

int account_add(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    accounts::Account account;
    account.email = args.email;
    const accounts::Provider* provider = nullptr;
    if (open.catalog) provider = args.provider.empty() ? open.catalog->for_email(args.email) : open.catalog->find(args.provider);
    if (!args.provider.empty() && !provider)
        throw Error(ErrorCategory::NotFound, "There is no provider \"" + args.provider + "\" in providers.json" +
                                                 (open.catalog_error ? " (" + open.catalog_error->message() + ")" : "") + ".");
    account.provider = provider ? provider->id : "custom";

    std::string auth = args.auth;
    if (auth.empty()) auth = provider && provider->oauth ? "browser" : "password";
    if (auth != "password" && !(provider && provider->oauth))
        throw Error(ErrorCategory::BadInput, "Only providers with OAuth settings (Microsoft) sign in by " + auth +
                                                 ". Use --auth password for " + args.email + ".");
    account.mode = auth == "password" ? accounts::AccountMode::Password : accounts::AccountMode::OAuth;
    // Checked first: autodetection may take seconds.
    accounts::AccountRepository repository(open.profile.db());
    if (repository.find(args.email))
        throw Error(ErrorCategory::BadInput, args.email + " is already in this profile (tern-cli account list).");
    if (provider) {
        // OAuth accounts use the provider's OAuth servers; password accounts its password servers.
        const auto& servers = account.mode == accounts::AccountMode::OAuth || provider->fallback_servers.empty()
                                  ? provider->servers
                                  : provider->fallback_servers;
        for (const auto& [protocol, server] : servers) account.servers.push_back(server);
        for (const auto& [protocol, server] : provider->fallback_servers) account.fallback_servers.push_back(server);
    }
    // No provider and no servers given: look for them (DNS SRV, then the usual names).
    std::optional<accounts::Detection> detection;
    if ((!provider || provider->servers.empty()) && args.imap.empty() && args.pop3.empty() && args.smtp.empty()) {
        detection = autodetect(open, args.email);
        use_detected_servers(account, *detection);
        if (!ctx.json) print_detection(*detection);
    }
    if (!args.imap.empty()) use_server(account, mail::parse_endpoint(mail::MailProtocol::Imap, args.imap));
    if (!args.pop3.empty()) use_server(account, mail::parse_endpoint(mail::MailProtocol::Pop3, args.pop3));
    if (!args.smtp.empty()) use_server(account, mail::parse_endpoint(mail::MailProtocol::Smtp, args.smtp));
    for (auto& s : account.servers) s.username = args.user;
    const bool receives = std::any_of(account.servers.begin(), account.servers.end(), [](const auto& s) {
        return s.protocol != mail::MailProtocol::Smtp;
    });
    if (!receives)
        throw Error(ErrorCategory::BadInput, "Tern does not know the servers of " + args.email +
                                                 ". Give them: --imap HOST:PORT:TLS (or --pop3) and --smtp HOST:PORT:TLS.");

    if (account.mode == accounts::AccountMode::Password) {
        // Tested before it is kept: a typing mistake gives a clear error and leaves nothing behind.
        const auto password = read_password(args.email);
        auto cancel = std::make_shared<CancelToken>();
        CancelOnInterrupt interrupt(*cancel);
        for (const auto& server : account.servers) {
            mail::ConnectionOptions options;
            options.server = server;
            options.credentials = std::make_shared<mail::FixedCredentials>(
                mail::SaslLogin{mail::SaslMechanism::Password, server.username.empty() ? args.email : server.username,
                                password});
            options.cancel = cancel;
            std::cerr << "Checking " << mail::to_string(server.protocol) << " " << server.host << ":" << server.port
                      << "...\n";
            mail::check_login(options);
        }
        account.id = repository.add(account);
        try {
            open.secrets->store(accounts::password_key(open.profile.id(), args.email), password);
        } catch (...) {
            repository.remove(args.email);
            throw;
        }
    } else {
        account.id = repository.add(account);
        CommandArgs login_args = args;
        login_args.device_flow = auth == "device";
        const int signed_in = login(ctx, login_args);
        if (signed_in != exit_ok) {
            repository.remove(args.email);
            return signed_in;
        }
    }
    if (ctx.json) {
        nlohmann::json out{{"email", account.email}, {"provider", account.provider},
                           {"mode", std::string(to_string(account.mode))}};
        if (detection) out["autodetect"] = detection_json(*detection);
        print_json(out);
    } else {
        std::cout << "Added " << account.email << " (" << account.provider << ", " << to_string(account.mode)
                  << "). Fetch its mail with: tern-cli sync " << account.email << '\n';
    }
    return exit_ok;
}

}  // namespace tern::cli
