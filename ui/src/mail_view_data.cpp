#include "mail_view_data.hpp"

namespace tern::ui {

std::vector<AccountEntry> read_mail_tree(accounts::MailProfile& profile) {
    std::vector<AccountEntry> tree;
    mail::MessageStore store(profile.profile.db());
    for (auto& account : profile.accounts()) {
        AccountEntry entry{account, {}};
        for (const auto& folder : store.folders(account.id)) {
            const auto counts = store.counts(folder.id);
            entry.folders.push_back({folder.id, folder.path, folder.separator, folder.role, counts.total, counts.unread});
        }
        tree.push_back(std::move(entry));
    }
    return tree;
}

}  // namespace tern::ui

namespace tern::ui {

void queue_flag_changes(accounts::MailProfile& profile, const std::vector<FlagChange>& changes) {
    mail::MessageStore store(profile.profile.db());
    for (const auto& c : changes)
        if (c.uid > 0) store.queue_flag_change(c.folder_id, c.uid, c.add, c.remove);
}

void queue_deletes(accounts::MailProfile& profile, const std::vector<mail::MessageSummary>& messages) {
    mail::MessageStore store(profile.profile.db());
    for (const auto& m : messages)
        if (m.uid > 0) store.queue_delete(m.folder_id, m.uid);
}

void queue_moves(accounts::MailProfile& profile, const std::vector<mail::MessageSummary>& messages,
                 std::int64_t target_folder_id) {
    mail::MessageStore store(profile.profile.db());
    for (const auto& m : messages)
        if (m.uid > 0 && m.folder_id != target_folder_id) store.queue_move(m.folder_id, m.uid, target_folder_id);
}

std::optional<accounts::Account> account_by_id(accounts::MailProfile& profile, std::int64_t account_id) {
    for (auto& account : profile.accounts())
        if (account.id == account_id) return account;
    return std::nullopt;
}

std::int64_t push_queued_changes(accounts::MailProfile& profile, std::int64_t account_id,
                                 const accounts::FallbackPrompts& prompts, std::shared_ptr<CancelToken> cancel) {
    const auto account = account_by_id(profile, account_id);
    if (!account) return 0;
    mail::MessageStore store(profile.profile.db());
    if (store.pending(account_id).empty()) return 0;
    auto access = profile.access(*account, prompts);
    if (!access->has_server(mail::MailProtocol::Imap)) return 0;  // POP3: the changes stay local
    std::int64_t pushed = 0;
    access->run(mail::MailProtocol::Imap, [&](const mail::ConnectionOptions& options) {
        pushed = mail::ImapSync(store, account_id, options).push_changes();
    }, cancel);
    return pushed;
}

}  // namespace tern::ui
