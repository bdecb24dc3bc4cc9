// tern-cli account add: an account from its provider's settings, from servers given on the
// command line, or from autodetection (DNS SRV, then probing the usual names) when neither
// applies; signed in before it is kept (password tested, or OAuth by browser/device code).
#include "commands.hpp"
#include "interrupt.hpp"
#include "open_account.hpp"
#include "password_prompt.hpp"

#include "tern/accounts/account_setup.hpp"
#include "tern/auth/browser_sign_in.hpp"
#include "tern/auth/device_code_flow.hpp"
#include "tern/auth/system_browser.hpp"

#include <csignal>
#include <iostream>
#include <optional>
#include <pthread.h>

namespace tern::cli {
namespace {


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
    accounts::AccountRequest request;
    request.email = args.email;
    request.provider_id = args.provider;
    if (args.auth == "password") request.method = accounts::SignInMethod::Password;
    else if (args.auth == "device") request.method = accounts::SignInMethod::DeviceCode;
    else if (args.auth == "browser") request.method = accounts::SignInMethod::Browser;
    if (!args.imap.empty()) request.imap = mail::parse_endpoint(mail::MailProtocol::Imap, args.imap);
    if (!args.pop3.empty()) request.pop3 = mail::parse_endpoint(mail::MailProtocol::Pop3, args.pop3);
    if (!args.smtp.empty()) request.smtp = mail::parse_endpoint(mail::MailProtocol::Smtp, args.smtp);
    request.username = args.user;
    request.by_hand_advice = "Enter the servers by hand with --imap HOST:PORT:TLS (or --pop3) and --smtp HOST:PORT:TLS.";

    accounts::AccountPlan plan;
    {
        CancelToken cancel;
        InterruptibleScope interruptible(cancel);
        try {
            plan = accounts::plan_account(open, request, cancel, [](const std::string& line) { std::cerr << line << '\n'; });
        } catch (const Error& e) {
            if (e.category() != ErrorCategory::Cancelled) throw;
            throw Error(ErrorCategory::Cancelled, "Looking for the mail servers of " + args.email +
                                                      " was cancelled; nothing was added.");
        }
    }
    const auto detection = plan.detection;
    if (detection && !ctx.json) print_detection(*detection);

    accounts::Account account;
    if (plan.method == accounts::SignInMethod::Password) {
        const auto password = read_password(args.email);
        auto cancel = std::make_shared<CancelToken>();
        CancelOnInterrupt interrupt(*cancel);
        account = accounts::add_password_account(open, std::move(plan), password, cancel, [](const mail::ServerEndpoint& server) {
            std::cerr << "Checking " << mail::to_string(server.protocol) << " " << server.host << ":" << server.port << "...\n";
        });
    } else {
        const bool device = plan.method == accounts::SignInMethod::DeviceCode;
        account = accounts::add_oauth_account(open, std::move(plan), [&](auth::TokenEndpoint& endpoint) {
            CancelToken cancel;
            CancelOnInterrupt interrupt(cancel);
            if (device) {
                const auto authorization = endpoint.request_device_code(&cancel);
                std::cerr << authorization.message << "\n" << std::flush;
                return auth::wait_for_device_grant(endpoint, authorization, cancel);
            }
            std::cerr << "Opening the Microsoft sign-in page in your browser...\n" << std::flush;
            auth::BrowserSignInOptions options;
            options.login_hint = args.email;
            return auth::sign_in_with_browser(endpoint, auth::system_browser(), options, &cancel);
        });
        if (!ctx.json)
            std::cout << "Signed in " << account.email << ". The sign-in is kept in " << open.secrets->backend_name() << ".\n";
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
