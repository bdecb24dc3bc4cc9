// tern-cli sync, list, show, search: the local store, filled and read.
#include "commands.hpp"
#include "interrupt.hpp"
#include "open_account.hpp"

#include "tern/accounts/account_mail.hpp"
#include "tern/mail/imap_sync.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/outbox.hpp"
#include "tern/mail/pop3_download.hpp"
#include "tern/mail/search_query.hpp"

#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace tern::cli {
namespace {

std::string date_text(std::int64_t unix_seconds) {
    if (unix_seconds <= 0) return "                ";
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm local{};
    localtime_r(&t, &local);
    std::ostringstream out;
    out << std::put_time(&local, "%Y-%m-%d %H:%M");
    return out.str();
}

std::string flag_letters(int flags) {
    std::string out;
    out += (flags & mail::MessageFlag::Seen) ? ' ' : 'N';
    out += (flags & mail::MessageFlag::Flagged) ? 'F' : ' ';
    out += (flags & mail::MessageFlag::Answered) ? 'R' : ' ';
    return out;
}

nlohmann::json summary_json(const mail::MessageSummary& m) {
    return {{"uid", m.uid},
            {"date", m.date},
            {"from", m.from_name.empty() ? m.from_addr : m.from_name + " <" + m.from_addr + ">"},
            {"subject", m.subject},
            {"unread", !(m.flags & mail::MessageFlag::Seen)},
            {"flagged", (m.flags & mail::MessageFlag::Flagged) != 0},
            {"has_attachments", m.has_attachments}};
}

void print_summary(const mail::MessageSummary& m) {
    const auto from = m.from_name.empty() ? m.from_addr : m.from_name;
    std::cout << std::right << std::setw(7) << m.uid << ' ' << flag_letters(m.flags) << ' ' << date_text(m.date) << "  "
              << std::left << std::setw(24) << from.substr(0, 24) << "  " << m.subject << '\n';
}

const char* stage_word(mail::SyncProgress::Stage stage) {
    switch (stage) {
        case mail::SyncProgress::Stage::Folders: return "folders";
        case mail::SyncProgress::Stage::Headers: return "headers";
        case mail::SyncProgress::Stage::Flags: return "flags";
        case mail::SyncProgress::Stage::Bodies: return "bodies";
        case mail::SyncProgress::Stage::Changes: return "changes";
    }
    return "";
}

}  // namespace

int sync_mail(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    auto cancel = std::make_shared<CancelToken>();
    CancelOnInterrupt interrupt(*cancel);
    mail::MessageStore store(open.profile.db());
    mail::Outbox outbox(open.profile.db());
    outbox.recover_interrupted();
    auto out = nlohmann::json::array();
    int failures = 0;
    const auto accounts = open.accounts(args.email);
    if (accounts.empty() && !ctx.json)
        std::cout << "No accounts to sync in " << open.profile.dir().string()
                  << ". Add one with: tern-cli account add EMAIL\n";
    for (const auto& account : accounts) {
        try {
            auto access = open.access(account);
            accounts::AccountSyncOptions options;
            if (!args.folder.empty()) options.only_folders.push_back(args.folder);
            options.progress = [&](const mail::SyncProgress& p) {
                std::cerr << account.email << (p.folder.empty() ? "" : " " + p.folder) << ": " << stage_word(p.stage)
                          << ' ' << p.done;
                if (p.total) std::cerr << '/' << p.total;
                std::cerr << '\n';
            };
            // Every tern-cli sync is a start: an account in fallback tries OAuth again (DESIGN §4).
            const auto synced = accounts::sync_account(*access, open.profile.db(), options, cancel);
            const auto& report = synced.mail;
            const auto& sent = synced.sent;
            const auto& decision = synced.decision;
            const auto& outbox_waits = synced.outbox_error;
            const auto& retried = synced.oauth_retry;
            if (outbox_waits)
                std::cerr << "tern-cli: " << account.email << ": the outbox waits: " << outbox_waits->message() << " ["
                          << to_string(outbox_waits->category()) << "]\n";
            const auto& now_account = access->account();
            nlohmann::json folders = nlohmann::json::array();
            for (const auto& f : report.folders)
                folders.push_back({{"folder", f.path}, {"added", f.added}, {"removed", f.removed},
                                   {"flags_updated", f.flags_updated}, {"bodies", f.bodies},
                                   {"uidvalidity_reset", f.uidvalidity_reset}, {"unchanged", f.unchanged}});
            nlohmann::json entry{{"email", account.email}, {"folders", folders}, {"changes_pushed", report.changes_pushed},
                                 {"sent", sent.sent}, {"mode", std::string(accounts::to_string(now_account.mode))}};
            if (now_account.fallback_reason) entry["fallback_reason"] = *now_account.fallback_reason;
            if (decision.action != accounts::PolicyAction::None)
                entry["fallback"] = {{"action", std::string(accounts::to_string(decision.action))}, {"reason", decision.reason}};
            if (outbox_waits)
                entry["outbox_error"] = {{"category", std::string(to_string(outbox_waits->category()))},
                                         {"message", outbox_waits->message()}};
            if (retried)
                entry["oauth_retry"] = {{"action", std::string(accounts::to_string(retried->action))},
                                        {"message", retried->message}};
            out.push_back(std::move(entry));
            if (!ctx.json) {
                std::int64_t added = 0, removed = 0;
                for (const auto& f : report.folders) {
                    added += f.added;
                    removed += f.removed;
                }
                std::cout << account.email << ": " << report.folders.size() << " folders, " << added << " new, "
                          << removed << " removed";
                if (sent.sent) std::cout << ", " << sent.sent << " sent";
                std::cout << '\n';
            }
        } catch (const Error& e) {
            if (e.category() == ErrorCategory::Cancelled) return report_error(ctx, e);
            ++failures;
            out.push_back({{"email", account.email}, {"error", {{"category", std::string(to_string(e.category()))},
                                                                {"message", e.message()}}}});
            if (!ctx.json) std::cerr << "tern-cli: " << account.email << ": " << e.message() << " [" << to_string(e.category()) << "]\n";
        }
    }
    if (ctx.json) print_json(out);
    return failures ? exit_failed : exit_ok;
}

int list_messages(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    const auto account = open.account(args.email);
    const auto folder = open.folder(account, args.folder);
    mail::MessageStore store(open.profile.db());
    const auto messages = store.list(folder.id, 0, static_cast<std::size_t>(args.limit));
    if (ctx.json) {
        auto out = nlohmann::json::array();
        for (const auto& m : messages) out.push_back(summary_json(m));
        print_json(out);
        return exit_ok;
    }
    const auto counts = store.counts(folder.id);
    std::cerr << folder.path << ": " << counts.total << " messages, " << counts.unread << " unread\n";
    for (const auto& m : messages) print_summary(m);
    return exit_ok;
}

int show_message(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    const auto account = open.account(args.email);
    const auto folder = open.folder(account, args.folder);
    mail::MessageStore store(open.profile.db());
    const auto uid = std::stoll(args.uid);
    auto message = store.message(folder.id, uid);
    if (!message)
        throw Error(ErrorCategory::NotFound, "There is no message " + args.uid + " in " + folder.path + " of " +
                                                 account.email + ". List them with: tern-cli list " + account.email);
    if (!message->summary.body_downloaded) {
        // Bodies downloaded on demand: fetch this one now.
        auto cancel = std::make_shared<CancelToken>();
        CancelOnInterrupt interrupt(*cancel);
        auto access = open.access(account);
        if (access->has_server(mail::MailProtocol::Imap)) {
            access->run(mail::MailProtocol::Imap, [&](const mail::ConnectionOptions& options) {
                mail::ImapSync(store, account.id, options).fetch_body(folder.path, uid);
            }, cancel);
            message = store.message(folder.id, uid);
        }
    }
    const auto& m = *message;
    if (ctx.json) {
        auto doc = summary_json(m.summary);
        doc["message_id"] = m.message_id;
        doc["to"] = m.to;
        doc["cc"] = m.cc;
        doc["body"] = m.text_body;
        auto attachments = nlohmann::json::array();
        for (const auto& a : m.attachments) attachments.push_back({{"filename", a.filename}, {"size", a.size}});
        doc["attachments"] = attachments;
        print_json(doc);
        return exit_ok;
    }
    const auto& s = m.summary;
    std::cout << "From:    " << (s.from_name.empty() ? s.from_addr : s.from_name + " <" + s.from_addr + ">") << '\n'
              << "To:      " << m.to << '\n';
    if (!m.cc.empty()) std::cout << "Cc:      " << m.cc << '\n';
    std::cout << "Date:    " << date_text(s.date) << '\n' << "Subject: " << s.subject << '\n';
    for (const auto& a : m.attachments) std::cout << "Attachment: " << a.filename << " (" << a.size << " bytes)\n";
    std::cout << '\n' << m.text_body << (m.text_body.empty() || m.text_body.back() == '\n' ? "" : "\n");
    return exit_ok;
}

int search_messages(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    const auto account = open.account(args.email);
    mail::MessageStore store(open.profile.db());
    const auto page = store.search(account.id, mail::parse_search_query(args.query), 0,
                                   static_cast<std::size_t>(args.limit));
    if (ctx.json) {
        auto hits = nlohmann::json::array();
        for (const auto& h : page.hits) {
            auto doc = summary_json(h.summary);
            doc["rank"] = h.rank;
            hits.push_back(doc);
        }
        print_json({{"total", page.total}, {"total_is_capped", page.total_is_capped}, {"hits", hits}});
        return exit_ok;
    }
    std::cerr << page.total << (page.total_is_capped ? "+" : "") << " messages match\n";
    for (const auto& h : page.hits) print_summary(h.summary);
    return exit_ok;
}

}  // namespace tern::cli
