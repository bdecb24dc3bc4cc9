// tern-cli account add: an account from its provider's settings or from servers given on the
// command line, signed in before it is kept (password tested, or OAuth by browser/device code).
#include "commands.hpp"
#include "interrupt.hpp"
#include "open_account.hpp"

#include "tern/accounts/account_repository.hpp"
#include "tern/mail/login_check.hpp"

#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace tern::cli {
namespace {

// The password from standard input: the first line when piped, typed without echo on a terminal.
Secret read_password(const std::string& email) {
    std::string line;
    if (isatty(STDIN_FILENO)) {
        std::cerr << "Password for " << email << " (for Microsoft accounts with two-step verification, an app password): "
                  << std::flush;
        termios old{};
        tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        std::getline(std::cin, line);
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        std::cerr << '\n';
    } else {
        std::getline(std::cin, line);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) throw Error(ErrorCategory::BadInput, "No password was given for " + email + ".");
    return Secret(std::move(line));
}

void use_server(accounts::Account& account, mail::ServerEndpoint server) {
    for (auto& s : account.servers)
        if (s.protocol == server.protocol) {
            s = std::move(server);
            return;
        }
    account.servers.push_back(std::move(server));
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
    if (provider) {
        // OAuth accounts use the provider's OAuth servers; password accounts its password servers.
        const auto& servers = account.mode == accounts::AccountMode::OAuth || provider->fallback_servers.empty()
                                  ? provider->servers
                                  : provider->fallback_servers;
        for (const auto& [protocol, server] : servers) account.servers.push_back(server);
        for (const auto& [protocol, server] : provider->fallback_servers) account.fallback_servers.push_back(server);
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

    accounts::AccountRepository repository(open.profile.db());
    if (repository.find(args.email))
        throw Error(ErrorCategory::BadInput, args.email + " is already in this profile (tern-cli account list).");

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
        print_json({{"email", account.email}, {"provider", account.provider},
                    {"mode", std::string(to_string(account.mode))}});
    } else {
        std::cout << "Added " << account.email << " (" << account.provider << ", " << to_string(account.mode)
                  << "). Fetch its mail with: tern-cli sync " << account.email << '\n';
    }
    return exit_ok;
}

}  // namespace tern::cli
