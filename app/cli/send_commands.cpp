// tern-cli send and outbox. A message is in the outbox on disk before "Queued" is printed; then
// Tern tries to send it at once, and a later sync retries what could not go.
#include "commands.hpp"
#include "interrupt.hpp"
#include "open_account.hpp"

#include "tern/accounts/account_mail.hpp"
#include "tern/mail/message_composer.hpp"
#include "tern/mail/outbox.hpp"

#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>

namespace tern::cli {
namespace {

std::string read_body(const std::string& file) {
    if (file.empty()) return {};
    if (file == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(ErrorCategory::BadInput, "Tern cannot read the body file " + file + ".");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

nlohmann::json entry_json(const mail::OutboxEntry& e) {
    return {{"id", e.id},
            {"state", std::string(mail::to_string(e.state))},
            {"subject", e.subject},
            {"recipients", e.recipients},
            {"attempts", e.attempts},
            {"next_attempt_at", e.next_attempt_at},
            {"last_error", e.last_error},
            {"last_error_category", e.last_error_category},
            {"server_reply", e.server_reply}};
}

}  // namespace

int send_message(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    const auto account = open.account(args.email);
    mail::MessageDraft draft;
    draft.from = account.display_name.empty() ? account.email : account.display_name + " <" + account.email + ">";
    draft.to = args.to;
    draft.cc = args.cc;
    draft.subject = args.subject;
    draft.text = read_body(args.body_file);
    for (const auto& file : args.attach) draft.attachments.emplace_back(file);
    const auto composed = mail::compose_message(draft);

    mail::Outbox outbox(open.profile.db());
    const auto id = outbox.enqueue(account.id, {composed.envelope_from, composed.recipients, composed.bytes},
                                   args.subject);
    if (!ctx.json) std::cerr << "Queued in the outbox (message " << id << ").\n";

    auto cancel = std::make_shared<CancelToken>();
    CancelOnInterrupt interrupt(*cancel);
    auto access = open.access(account);
    if (!access->has_server(mail::MailProtocol::Smtp))
        throw Error(ErrorCategory::BadInput, account.email + " has no SMTP server to send through.");
    std::optional<Error> not_sent;
    try {
        accounts::send_outbox(*access, open.profile.db(), cancel);
    } catch (const Error& e) {
        // The message is safe in the outbox; say why it has not gone yet.
        if (e.category() == ErrorCategory::Cancelled) throw;
        not_sent = e;
    }

    const auto entry = outbox.entry(id);
    if (ctx.json) {
        print_json(entry ? entry_json(*entry) : nlohmann::json{{"id", id}, {"state", "sent"}, {"message_id", composed.message_id}});
        return entry && entry->state == mail::OutboxState::Failed ? exit_failed : exit_ok;
    }
    if (!entry) {
        std::cout << "Sent: " << args.subject << '\n';
        return exit_ok;
    }
    if (entry->state == mail::OutboxState::Failed)
        return report_error(ctx, Error(ErrorCategory::ServerError, entry->last_error +
                                                                       " The message stays in the outbox (tern-cli outbox)."));
    std::cout << "Not sent yet: " << (not_sent ? not_sent->message() : entry->last_error) << " It stays in the outbox and is sent by the next tern-cli sync.\n";
    return exit_ok;
}

int show_outbox(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    std::optional<std::int64_t> only;
    if (!args.email.empty()) only = open.account(args.email).id;
    const auto entries = mail::Outbox(open.profile.db()).entries(only);
    if (ctx.json) {
        auto out = nlohmann::json::array();
        for (const auto& e : entries) out.push_back(entry_json(e));
        print_json(out);
        return exit_ok;
    }
    if (entries.empty()) {
        std::cout << "The outbox is empty.\n";
        return exit_ok;
    }
    for (const auto& e : entries) {
        std::cout << e.id << "  " << mail::to_string(e.state) << "  " << e.subject << "  (attempts: " << e.attempts << ")\n";
        if (!e.last_error.empty()) std::cout << "    " << e.last_error << '\n';
    }
    return exit_ok;
}

}  // namespace tern::cli
