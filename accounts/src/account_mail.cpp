#include "tern/accounts/account_mail.hpp"

#include "tern/mail/message_store.hpp"
#include "tern/mail/pop3_download.hpp"

#include <ctime>

namespace tern::accounts {
namespace {

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string sent_folder(mail::MessageStore& store, std::int64_t account_id) {
    for (const auto& f : store.folders(account_id))
        if (f.role == "sent") return f.path;
    return "Sent";
}

}  // namespace

mail::OutboxSendReport send_outbox(AccountAccess& access, Database& db, std::shared_ptr<CancelToken> cancel) {
    const auto& account = access.account();
    if (!access.has_server(mail::MailProtocol::Smtp))
        throw Error(ErrorCategory::BadInput, account.email + " has no SMTP server to send through.");
    mail::Outbox outbox(db);
    mail::MessageStore store(db);
    mail::OutboxSendReport report;
    int attempt = 0;
    access.run(mail::MailProtocol::Smtp, [&](const mail::ConnectionOptions& smtp) {
        // A second attempt is on other servers (the fallback): what waited goes now.
        if (attempt++ > 0) outbox.retry_now(account.id);
        std::function<void(const std::string&)> copy_to_sent;
        std::unique_ptr<mail::ImapSync> imap;
        // Providers that keep sent mail themselves get no second copy (DESIGN §3).
        if (!access.server_saves_sent()) {
            if (auto imap_options = access.connection(mail::MailProtocol::Imap, cancel)) {
                imap = std::make_unique<mail::ImapSync>(store, account.id, *imap_options);
                copy_to_sent = [&imap, sent = sent_folder(store, account.id)](const std::string& raw) {
                    imap->append(sent, raw, mail::MessageFlag::Seen);
                };
            }
        }
        report = mail::send_due(outbox, account.id, smtp, copy_to_sent, unix_now());
        if (report.stopped_by) throw *report.stopped_by;
    }, cancel);
    return report;
}

AccountSyncReport sync_account(AccountAccess& access, Database& db, const AccountSyncOptions& options,
                               std::shared_ptr<CancelToken> cancel) {
    const auto account = access.account();
    AccountSyncReport report;
    // An account in password fallback tries Microsoft sign-in again first (DESIGN §4: at start).
    if (access.oauth_retry_due(options.at_start)) report.oauth_retry = access.retry_oauth(cancel);
    const auto progress = options.progress ? options.progress : [](const mail::SyncProgress&) {};
    mail::MessageStore store(db);
    if (access.has_server(mail::MailProtocol::Imap)) {
        report.decision = access.run(mail::MailProtocol::Imap, [&](const mail::ConnectionOptions& imap) {
            mail::SyncSettings settings;
            settings.bodies = account.settings.bodies;
            settings.recent_days = account.settings.recent_days;
            mail::ImapSync sync(store, account.id, imap, settings);
            report.mail = sync.sync(progress, options.only_folders);
        }, cancel);
    } else if (access.has_server(mail::MailProtocol::Pop3)) {
        // POP3 has one folder; its download reports like an IMAP sync of INBOX.
        for (const auto& folder : options.only_folders)
            if (folder != "INBOX")
                throw Error(ErrorCategory::BadInput, account.email + " is a POP3 account: it has only INBOX.");
        report.decision = access.run(mail::MailProtocol::Pop3, [&](const mail::ConnectionOptions& pop3) {
            mail::Pop3Settings settings;
            settings.leave_on_server = account.settings.pop3_leave_on_server;
            settings.delete_after_days = account.settings.pop3_delete_after_days;
            const auto got = mail::Pop3Download(db, account.id, pop3, settings).download(progress);
            mail::FolderSyncReport inbox;
            inbox.path = "INBOX";
            inbox.added = inbox.bodies = got.downloaded;
            inbox.unchanged = got.downloaded == 0;
            report.mail.folders = {inbox};
        }, cancel);
    } else {
        throw Error(ErrorCategory::Unsupported, account.email + " has no IMAP or POP3 server to fetch mail from.");
    }
    // Queued messages go out with the sync.
    if (access.has_server(mail::MailProtocol::Smtp) && !mail::Outbox(db).due(account.id, unix_now()).empty()) {
        try {
            report.sent = send_outbox(access, db, cancel);
        } catch (const Error& e) {
            // The mail was fetched; the outbox keeps its messages for the next sync.
            if (e.category() == ErrorCategory::Cancelled) throw;
            report.outbox_error = e;
        }
    }
    return report;
}

}  // namespace tern::accounts
