// The arguments of every tern-cli command, filled by the parser, and the commands built so far.
#pragma once

#include "cli_context.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace tern::cli {

struct CommandArgs {
    std::string email;
    std::string provider;
    std::string auth;
    std::string imap, pop3, smtp;
    std::string fallback_imap, fallback_pop3, fallback_smtp;  // account set
    std::string user;
    bool device_flow = false;
    bool password_flow = false;  // login --password: the password of a password or fallback account
    std::string folder;
    int limit = 50;
    std::string uid;
    std::string query;
    std::vector<std::string> to, cc, attach;
    std::string subject;
    std::string body_file;
    std::string name;
    std::string mailbox;
    std::string kind;
    std::string address;
    std::string model;
    std::string listen;
    // account set: empty / -1 = unchanged
    std::string body_policy, pop3_leave_on_server;
    std::optional<std::string> client_id, tenant;
    int recent_days = -1, pop3_delete_after_days = -1;
    std::vector<std::string> pins, unpins;  // HOST:PORT=SHA256 / HOST:PORT
};

using Handler = std::function<int(const CliContext&, const CommandArgs&)>;

// Builds the command tree of DESIGN §7 on `app`; the chosen command's handler lands in `selected`.
void build_command_tree(CLI::App& app, CliContext& ctx, CommandArgs& args, Handler& selected);

// Built commands.
int account_add(const CliContext& ctx, const CommandArgs& args);
int account_list(const CliContext& ctx, const CommandArgs& args);
int account_status(const CliContext& ctx, const CommandArgs& args);
int account_remove(const CliContext& ctx, const CommandArgs& args);
int account_retry_oauth(const CliContext& ctx, const CommandArgs& args);
int account_set(const CliContext& ctx, const CommandArgs& args);
int device_add(const CliContext& ctx, const CommandArgs& args);
int device_list(const CliContext& ctx, const CommandArgs& args);
int device_show(const CliContext& ctx, const CommandArgs& args);
int device_delete_token(const CliContext& ctx, const CommandArgs& args);
int device_remove(const CliContext& ctx, const CommandArgs& args);
int device_login(const CliContext& ctx, const CommandArgs& args);
int device_test(const CliContext& ctx, const CommandArgs& args);
int device_refresh(const CliContext& ctx, const CommandArgs& args);
int run_relay(const CliContext& ctx, const CommandArgs& args);
int login(const CliContext& ctx, const CommandArgs& args);
int sync_mail(const CliContext& ctx, const CommandArgs& args);
int list_messages(const CliContext& ctx, const CommandArgs& args);
int show_message(const CliContext& ctx, const CommandArgs& args);
int search_messages(const CliContext& ctx, const CommandArgs& args);
int send_message(const CliContext& ctx, const CommandArgs& args);
int show_outbox(const CliContext& ctx, const CommandArgs& args);

}  // namespace tern::cli
