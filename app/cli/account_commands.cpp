// tern-cli account ...
#include "commands.hpp"
#include "interrupt.hpp"
#include "open_account.hpp"

#include "tern/accounts/account_credentials.hpp"

#include "tern/accounts/account_repository.hpp"

#include <algorithm>
#include <iomanip>
#include <iostream>

namespace tern::cli {

int account_list(const CliContext& ctx, const CommandArgs&) {
    auto profile = ctx.open_profile();
    const auto accounts = accounts::AccountRepository(profile.db()).list();
    if (ctx.json) {
        auto out = nlohmann::json::array();
        for (const auto& a : accounts)
            out.push_back({{"email", a.email},
                           {"display_name", a.display_name},
                           {"provider", a.provider},
                           {"mode", std::string(to_string(a.mode))}});
        print_json(out);
        return exit_ok;
    }
    if (accounts.empty()) {
        std::cout << "No accounts in the profile " << profile.dir().string()
                  << ". Add one with: tern-cli account add EMAIL\n";
        return exit_ok;
    }
    for (const auto& a : accounts)
        std::cout << std::left << std::setw(40) << a.email << ' ' << std::setw(12) << a.provider << ' '
                  << to_string(a.mode) << '\n';
    return exit_ok;
}

}  // namespace tern::cli

namespace tern::cli {
namespace {

std::string token_state(OpenProfile& open, const accounts::Account& a) {
    if (a.provider == "custom" && a.mode == accounts::AccountMode::Password) return "none";
    const auto token = open.secrets->load(accounts::refresh_token_key(open.profile.id(), a.email));
    return token ? "acquired" : "not-acquired";
}


// "host:993" → {host, 993}; an IPv6 host in brackets.
std::pair<std::string, int> host_port(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
        throw Error(ErrorCategory::BadInput, "\"" + text + "\" is not HOST:PORT.");
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    int port = 0;
    try {
        port = std::stoi(text.substr(colon + 1));
    } catch (const std::exception&) {
    }
    if (port < 1 || port > 65535) throw Error(ErrorCategory::BadInput, "The port in \"" + text + "\" is not 1 to 65535.");
    return {host, port};
}

// "imap host:993:ssl" for each server.
nlohmann::json server_list(const std::vector<mail::ServerEndpoint>& list) {
    nlohmann::json listed = nlohmann::json::array();
    for (const auto& s : list)
        listed.push_back(std::string(mail::to_string(s.protocol)) + " " + s.host + ":" + std::to_string(s.port) + ":" +
                         std::string(mail::to_string(s.tls)));
    return listed;
}

nlohmann::json settings_json(const accounts::Account& a) {
    auto pins = nlohmann::json::array();
    for (const auto& p : a.pins) pins.push_back({{"server", p.host + ":" + std::to_string(p.port)}, {"sha256", p.sha256}});
    return {{"body_policy", std::string(accounts::to_string(a.settings.bodies))},
            {"recent_days", a.settings.recent_days},
            {"client_id", a.client_id},
            {"tenant", a.tenant},
            {"pop3_leave_on_server", a.settings.pop3_leave_on_server},
            {"pop3_delete_after_days", a.settings.pop3_delete_after_days},
            {"trusted_certificates", pins}};
}


}  // namespace

int account_status(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    auto out = nlohmann::json::array();
    for (const auto& a : open.accounts(args.email)) {
        const auto servers = server_list(a.servers);
        out.push_back({{"email", a.email},
                       {"provider", a.provider},
                       {"mode", std::string(to_string(a.mode))},
                       {"fallback_reason", optional_json(a.fallback_reason)},
                       {"fallback_since", optional_json(a.fallback_since)},
                       {"last_oauth_attempt", optional_json(a.last_oauth_attempt)},
                       {"token_state", token_state(open, a)},
                       {"password_stored", open.secrets->load(accounts::password_key(open.profile.id(), a.email))
                                               .has_value()},
                       {"servers", servers},
                       {"fallback_servers", server_list(a.fallback_servers)},
                       {"settings", settings_json(a)}});
    }
    if (ctx.json) {
        print_json(args.email.empty() ? out : out.front());
        return exit_ok;
    }
    if (out.empty()) std::cout << "No accounts. Add one with: tern-cli account add EMAIL\n";
    for (const auto& a : out) {
        std::cout << a["email"].get<std::string>() << "\n  provider: " << a["provider"].get<std::string>()
                  << "\n  sign-in:  " << a["mode"].get<std::string>() << " (token " << a["token_state"].get<std::string>()
                  << ")\n";
        if (!a["fallback_reason"].is_null())
            std::cout << "  Using password sign-in because Microsoft sign-in failed: "
                      << a["fallback_reason"].get<std::string>() << "\n";
        const bool in_fallback = a["mode"] == "password-fallback";
        for (const auto& s : a["servers"])
            std::cout << "  server:   " << s.get<std::string>() << (in_fallback ? " (when Microsoft sign-in works)" : "")
                      << "\n";
        for (const auto& s : a["fallback_servers"])
            std::cout << "  fallback: " << s.get<std::string>() << (in_fallback ? " (in use)" : "") << "\n";
    }
    return exit_ok;
}

int account_retry_oauth(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    auto cancel = std::make_shared<CancelToken>();
    CancelOnInterrupt interrupt(*cancel);
    auto access = open.access(open.account(args.email));
    if (access->account().mode == accounts::AccountMode::Password)
        throw Error(ErrorCategory::BadInput, args.email + " is a password account: it has no Microsoft sign-in to try.");
    const auto decision = access->retry_oauth(cancel);
    const auto& a = access->account();
    const bool back = a.mode == accounts::AccountMode::OAuth;
    if (ctx.json) {
        print_json({{"email", a.email},
                    {"mode", std::string(to_string(a.mode))},
                    {"action", std::string(to_string(decision.action))},
                    {"fallback_reason", optional_json(a.fallback_reason)},
                    {"message", decision.message}});
    } else if (back) {
        std::cout << a.email << ": Microsoft sign-in works; the account uses it again.\n";
    } else {
        std::cout << a.email << ": Microsoft sign-in still fails; the account stays on password sign-in. "
                  << decision.message << '\n';
    }
    return back ? exit_ok : exit_failed;
}

namespace {

// Puts `text` (HOST:PORT:TLS) in place of the list's server for that protocol; the user name the
// old one had stays.
void replace_server(std::vector<mail::ServerEndpoint>& list, mail::MailProtocol protocol, const std::string& text) {
    if (text.empty()) return;
    auto server = mail::parse_endpoint(protocol, text);
    const auto old = std::find_if(list.begin(), list.end(), [&](const auto& s) { return s.protocol == protocol; });
    if (old != list.end()) {
        server.username = old->username;
        *old = server;
    } else {
        list.push_back(server);
    }
}

}  // namespace

int account_set(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    auto a = open.account(args.email);
    replace_server(a.servers, mail::MailProtocol::Imap, args.imap);
    replace_server(a.servers, mail::MailProtocol::Pop3, args.pop3);
    replace_server(a.servers, mail::MailProtocol::Smtp, args.smtp);
    replace_server(a.fallback_servers, mail::MailProtocol::Imap, args.fallback_imap);
    replace_server(a.fallback_servers, mail::MailProtocol::Pop3, args.fallback_pop3);
    replace_server(a.fallback_servers, mail::MailProtocol::Smtp, args.fallback_smtp);
    if (!args.body_policy.empty()) a.settings.bodies = *accounts::body_policy_from_string(args.body_policy);
    if (args.recent_days > 0) a.settings.recent_days = args.recent_days;
    if (!args.pop3_leave_on_server.empty()) a.settings.pop3_leave_on_server = args.pop3_leave_on_server == "yes";
    if (args.pop3_delete_after_days >= 0) a.settings.pop3_delete_after_days = args.pop3_delete_after_days;
    if (args.client_id) a.client_id = *args.client_id;
    if (args.tenant) a.tenant = *args.tenant;
    for (const auto& text : args.unpins) {
        const auto [host, port] = host_port(text);
        a.pins.erase(std::remove_if(a.pins.begin(), a.pins.end(),
                                    [&](const auto& p) { return p.host == host && p.port == port; }),
                     a.pins.end());
    }
    for (const auto& text : args.pins) {
        const auto equals = text.find('=');
        if (equals == std::string::npos)
            throw Error(ErrorCategory::BadInput, "--trust-certificate takes HOST:PORT=SHA256, e.g. "
                                                 "imap.example.org:993=AB:CD:...");
        const auto [host, port] = host_port(text.substr(0, equals));
        a.pins.push_back({host, port, mail::normalise_fingerprint(text.substr(equals + 1))});
    }
    accounts::AccountRepository(open.profile.db()).save_settings(a);
    const auto saved = open.account(args.email);
    if (ctx.json) {
        print_json(nlohmann::json{{"email", saved.email},
                                  {"servers", server_list(saved.servers)},
                                  {"fallback_servers", server_list(saved.fallback_servers)},
                                  {"settings", settings_json(saved)}});
        return exit_ok;
    }
    const auto s = settings_json(saved);
    std::cout << saved.email << "\n  bodies:   " << s["body_policy"].get<std::string>();
    if (saved.settings.bodies == mail::BodyPolicy::RecentDays) std::cout << " (" << saved.settings.recent_days << " days)";
    std::cout << "\n";
    if (!saved.client_id.empty()) std::cout << "  client id: " << saved.client_id << "\n";
    if (!saved.tenant.empty()) std::cout << "  tenant:   " << saved.tenant << "\n";
    for (const auto& p : saved.pins)
        std::cout << "  trusted certificate for " << p.host << ':' << p.port << ": " << p.sha256 << "\n";
    for (const auto& server : server_list(saved.servers)) std::cout << "  server:   " << server.get<std::string>() << "\n";
    for (const auto& server : server_list(saved.fallback_servers))
        std::cout << "  fallback: " << server.get<std::string>() << "\n";
    return exit_ok;
}

int account_remove(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    const auto account = open.account(args.email);
    // Secrets first: if the keyring refuses, nothing is removed and the person can try again.
    for (const auto& key : {accounts::password_key(open.profile.id(), account.email),
                            accounts::refresh_token_key(open.profile.id(), account.email)})
        open.secrets->remove(key);
    const auto messages = open.profile.db().query_int(
        "SELECT count(*) FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.account_id = " +
        std::to_string(account.id));
    accounts::AccountRepository(open.profile.db()).remove(account.email);
    if (ctx.json) {
        print_json({{"removed", account.email}, {"messages", messages}});
    } else {
        std::cout << "Removed " << account.email << ", its " << messages
                  << " stored messages and its secrets in the keyring. The mail on the server is untouched.\n";
    }
    return exit_ok;
}

}  // namespace tern::cli
