#include "commands.hpp"

#include <tuple>

#include "tern/core/build_config.hpp"
#include "tern/mail/server_endpoint.hpp"

#include <CLI/CLI.hpp>

namespace tern::cli {
namespace {

CLI::App* leaf(CLI::App& parent, const std::string& name, const std::string& help, Handler& selected, Handler handler) {
    auto* cmd = parent.add_subcommand(name, help);
    cmd->callback([&selected, handler = std::move(handler)] { selected = handler; });
    return cmd;
}

CLI::Validator endpoint_validator(mail::MailProtocol protocol) {
    return CLI::Validator(
        [protocol](std::string& text) -> std::string {
            try {
                mail::parse_endpoint(protocol, text);
                return {};
            } catch (const Error& e) {
                return e.message();
            }
        },
        "HOST:PORT:TLS");
}

CLI::Validator listen_validator() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const auto colon = text.rfind(':');
            if (colon == std::string::npos || colon == 0) return "write it as HOST:PORT, for example 127.0.0.1:2525";
            try {
                const int port = std::stoi(text.substr(colon + 1));
                if (port < 0 || port > 65535) return "the port must be a number from 0 to 65535";
            } catch (const std::exception&) {
                return "the port must be a number from 0 to 65535";
            }
            return {};
        },
        "HOST:PORT");
}

void add_account_commands(CLI::App& app, CommandArgs& a, Handler& selected) {
    auto* account = app.add_subcommand("account", "Add, list, inspect and remove mail accounts");
    account->require_subcommand(1);

    auto* add = leaf(*account, "add", "Add a mail account", selected, account_add);
    add->add_option("EMAIL", a.email, "Email address")->required();
    add->add_option("--provider", a.provider, "Provider id from providers.json (default: detected from the address)");
    add->add_option("--auth", a.auth, "How to sign in")->check(CLI::IsMember({"browser", "device", "password"}));
    add->add_option("--imap", a.imap, "IMAP server")->check(endpoint_validator(mail::MailProtocol::Imap));
    add->add_option("--pop3", a.pop3, "POP3 server")->check(endpoint_validator(mail::MailProtocol::Pop3));
    add->add_option("--smtp", a.smtp, "SMTP server")->check(endpoint_validator(mail::MailProtocol::Smtp));
    add->add_option("--user", a.user, "User name on the servers (default: the email address)");

    leaf(*account, "list", "List the accounts of the profile", selected, account_list);
    leaf(*account, "status", "Show how accounts sign in and why", selected, account_status)
        ->add_option("EMAIL", a.email, "Only this account");
    leaf(*account, "remove", "Remove an account and its secrets", selected, account_remove)
        ->add_option("EMAIL", a.email, "Email address")
        ->required();
    auto* set = leaf(*account, "set", "Change an account's settings", selected, account_set);
    set->add_option("EMAIL", a.email, "Email address")->required();
    set->add_option("--body-policy", a.body_policy, "Which bodies a sync downloads")
        ->check(CLI::IsMember({"all", "recent", "on-demand"}));
    set->add_option("--recent-days", a.recent_days, "With --body-policy recent: this many days")->check(CLI::Range(1, 36500));
    set->add_option("--client-id", a.client_id, "The organisation's own Microsoft app (client id); \"\" for the default");
    set->add_option("--tenant", a.tenant, "Microsoft tenant: organizations, consumers, common or the organisation's own");
    set->add_option("--pop3-leave-on-server", a.pop3_leave_on_server, "POP3: keep mail on the server")
        ->check(CLI::IsMember({"yes", "no"}));
    set->add_option("--pop3-delete-after-days", a.pop3_delete_after_days,
                    "POP3, leaving mail on the server: delete it after this many days (0: never)")
        ->check(CLI::Range(0, 36500));
    set->add_option("--trust-certificate", a.pins,
                    "Trust this certificate for one server: HOST:PORT=SHA256 (the fingerprint Tern showed)");
    set->add_option("--untrust-certificate", a.unpins, "Stop trusting the certificates pinned for HOST:PORT");
    // The servers: those of the account's mode, and the password servers Microsoft accounts fall back to.
    for (const auto& [protocol, name, primary, fallback] :
         {std::tuple{mail::MailProtocol::Imap, std::string("imap"), &a.imap, &a.fallback_imap},
          std::tuple{mail::MailProtocol::Pop3, std::string("pop3"), &a.pop3, &a.fallback_pop3},
          std::tuple{mail::MailProtocol::Smtp, std::string("smtp"), &a.smtp, &a.fallback_smtp}}) {
        set->add_option("--" + name, *primary, "The " + name + " server: HOST:PORT:TLS")
            ->check(endpoint_validator(protocol));
        set->add_option("--fallback-" + name, *fallback,
                        "The password " + name + " server used when Microsoft sign-in fails: HOST:PORT:TLS")
            ->check(endpoint_validator(protocol));
    }
    leaf(*account, "retry-oauth", "Try Microsoft sign-in again for an account in fallback", selected,
         account_retry_oauth)
        ->add_option("EMAIL", a.email, "Email address")
        ->required();
}

void add_mail_commands(CLI::App& app, CommandArgs& a, Handler& selected) {
    auto* login_cmd = leaf(app, "login", "Sign an account in with OAuth (browser, or --device)", selected, tern::cli::login);
    login_cmd->add_option("EMAIL", a.email, "Email address")->required();
    login_cmd->add_flag("--device", a.device_flow, "Use the device code flow instead of the browser");
    login_cmd->add_flag("--password", a.password_flow,
                        "Enter the password of a password account, or of an account in password fallback")
        ->excludes("--device");

    auto* sync = leaf(app, "sync", "Fetch new mail", selected, sync_mail);
    sync->add_option("EMAIL", a.email, "Only this account");
    sync->add_option("--folder", a.folder, "Only this folder");

    auto* list = leaf(app, "list", "List messages", selected, list_messages);
    list->add_option("EMAIL", a.email, "Email address")->required();
    list->add_option("--folder", a.folder, "Folder (default INBOX)");
    list->add_option("--limit", a.limit, "At most this many messages")->check(CLI::PositiveNumber);

    auto* show = leaf(app, "show", "Show one message", selected, show_message);
    show->add_option("EMAIL", a.email, "Email address")->required();
    show->add_option("UID", a.uid, "Message UID")->required()->check(CLI::PositiveNumber);
    show->add_option("--folder", a.folder, "Folder (default INBOX)");

    auto* search = leaf(app, "search", "Search stored mail", selected, search_messages);
    search->add_option("EMAIL", a.email, "Email address")->required();
    search->add_option("QUERY", a.query, "from: to: subject: has:attachment before: after: is:unread words")->required();
    search->add_option("--limit", a.limit, "At most this many results")->check(CLI::PositiveNumber);

    auto* send = leaf(app, "send", "Send a message", selected, send_message);
    send->add_option("EMAIL", a.email, "Account to send from")->required();
    send->add_option("--to", a.to, "Recipient")->required();
    send->add_option("--cc", a.cc, "Copy recipient");
    send->add_option("--subject", a.subject, "Subject");
    send->add_option("--body-file", a.body_file, "Body text file, or - for standard input");
    send->add_option("--attach", a.attach, "File to attach")->check(CLI::ExistingFile);

    leaf(app, "outbox", "Show messages waiting to be sent", selected, show_outbox)
        ->add_option("EMAIL", a.email, "Only this account");
}

void add_device_commands(CLI::App& app, CommandArgs& a, Handler& selected) {
    auto* device = app.add_subcommand("device", "Sign printers and scanners in to Exchange Online");
    device->require_subcommand(1);

    auto* add = leaf(*device, "add", "Add a device", selected, device_add);
    add->add_option("NAME", a.name, "Device name")->required();
    add->add_option("--mailbox", a.mailbox, "The mailbox the device sends from")->required();
    add->add_option("--kind", a.kind, "self: signs in itself; relayed: Tern relays its mail")
        ->required()
        ->check(CLI::IsMember({"self", "relayed"}));
    add->add_option("--address", a.address, "The device's network address (its Web Config, where it connects from)");
    add->add_option("--model", a.model, "The device's make and model");

    leaf(*device, "list", "List devices and their token state", selected, device_list);
    leaf(*device, "show", "Show one device", selected, device_show)->add_option("NAME", a.name, "Device name")->required();
    leaf(*device, "delete-token", "Delete the device's token", selected, device_delete_token)
        ->add_option("NAME", a.name, "Device name")
        ->required();
    leaf(*device, "remove", "Remove a device", selected, device_remove)->add_option("NAME", a.name, "Device name")->required();
    leaf(*device, "login", "Sign a relayed device's mailbox in by device code (code, link, QR code)", selected,
         device_login)
        ->add_option("NAME", a.name, "Device name")
        ->required();
    auto* test = leaf(*device, "test", "Sign the device's mailbox in by device code and try SMTP AUTH XOAUTH2",
                      selected, device_test);
    test->add_option("NAME", a.name, "Device name")->required();
    test->add_option("--smtp", a.smtp, "The SMTP server the device uses (default: the provider's)")
        ->check(endpoint_validator(mail::MailProtocol::Smtp));
    leaf(*device, "refresh", "Keep relayed devices signed in: refresh the due ones now, or the named one", selected,
         device_refresh)
        ->add_option("NAME", a.name, "Only this device, due or not");

    leaf(app, "relay", "Run the device relay until SIGTERM", selected, run_relay)
        ->add_option("--listen", a.listen, "Listen address (default: the one saved in the devices pane, else 127.0.0.1:2525; port 0: any free port)")
        ->check(listen_validator());
}

}  // namespace

void build_command_tree(CLI::App& app, CliContext& ctx, CommandArgs& args, Handler& selected) {
    app.set_version_flag("--version", std::string("tern-cli ") + build::version);
    app.add_option("--home", ctx.home, "Profile folder (default: TERN_HOME, then the platform's data folder)");
    app.add_option("--providers", ctx.providers, "Provider definitions file replacing the built-in one");
    app.add_flag("--json", ctx.json, "Print one JSON document on stdout");
    app.add_flag("-v,--verbose", ctx.verbose, "Also print the log on stderr");
    // Global options may come after the command too: tern-cli account list --home DIR.
    app.fallthrough();
    app.require_subcommand(1);
    add_account_commands(app, args, selected);
    add_mail_commands(app, args, selected);
    add_device_commands(app, args, selected);
}

}  // namespace tern::cli
