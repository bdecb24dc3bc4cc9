#include "composer_jobs.hpp"

#include "tern/accounts/account_mail.hpp"
#include "tern/mail/address_book.hpp"
#include "tern/mail/imap_sync.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/reply_builder.hpp"

#include <ctime>
#include <random>

namespace tern::ui::composer {
namespace {

accounts::Account find_account(accounts::MailProfile& profile, std::int64_t id) {
    for (auto& account : profile.accounts())
        if (account.id == id) return account;
    throw Error(ErrorCategory::NotFound, "This account is no longer in the profile.");
}

// The original of a reply or forward: the whole message when its body is stored, else what the
// envelope says (the quote is then empty).
std::pair<mail::ParsedMessage, std::optional<std::string>> load_original(mail::MessageStore& store, std::int64_t id) {
    auto raw = store.raw_message_by_id(id);
    if (raw) return {mail::parse_message(*raw), std::move(raw)};
    const auto detail = store.message_by_id(id);
    if (!detail) throw Error(ErrorCategory::NotFound, "The message is no longer in the store.");
    auto parsed = mail::parse_message("To: " + detail->to + "\r\nCc: " + detail->cc + "\r\n\r\n");
    parsed.subject = detail->summary.subject;
    parsed.from = {{detail->summary.from_name, detail->summary.from_addr}};
    parsed.message_id = detail->message_id;
    parsed.in_reply_to = detail->in_reply_to;
    parsed.date = detail->summary.date;
    parsed.text_body = detail->text_body;
    return {std::move(parsed), std::nullopt};
}

std::filesystem::path forward_files_dir(const std::filesystem::path& profile_dir) {
    std::random_device random;
    return profile_dir / "draft-files" /
           (std::to_string(std::time(nullptr)) + "-" + std::to_string(random() % 1000000));
}

}  // namespace

StartData read_start(accounts::MailProfile& profile, std::int64_t account_id, const ComposeStart& start,
                     const std::string& forward_intro, bool body_tried) {
    const auto account = find_account(profile, account_id);
    StartData s;
    s.from = mail::format_known_address({account.display_name, account.email, 0, 0});
    s.self = {account.email};
    auto& db = profile.profile.db();
    using Kind = ComposeStart::Kind;
    if (start.kind == Kind::Reply || start.kind == Kind::ReplyAll || start.kind == Kind::Forward) {
        mail::MessageStore store(db);
        const auto detail = store.message_by_id(start.id);
        if (detail && !detail->summary.body_downloaded && detail->summary.uid > 0 && !body_tried) {
            s.needs_body = true;
            return s;
        }
        auto [original, raw] = load_original(store, start.id);
        if (start.kind != Kind::Forward) {
            s.original = std::move(original);
        } else {
            std::vector<std::filesystem::path> files;
            if (raw) files = mail::save_attachments(*raw, forward_files_dir(profile.profile.dir()));
            s.fields = mail::build_forward(original, forward_intro, std::move(files));
        }
    } else if (start.kind == Kind::Draft) {
        mail::DraftStore drafts(db);
        std::optional<mail::SavedDraft> draft;
        if (start.id) draft = drafts.load(start.id);
        else if (auto all = drafts.list(account_id); !all.empty()) draft = all.front();
        if (draft && draft->account_id == account_id) {
            s.fields = draft->fields;
            s.draft_id = draft->id;
        }
    }
    return s;
}

void download_original(accounts::MailProfile& profile, std::int64_t account_id, std::int64_t message_id,
                       std::shared_ptr<CancelToken> cancel) {
    mail::MessageStore store(profile.profile.db());
    const auto detail = store.message_by_id(message_id);
    if (!detail || detail->summary.body_downloaded || detail->summary.uid == 0) return;
    std::string path;
    for (const auto& folder : store.folders(account_id))
        if (folder.id == detail->summary.folder_id) path = folder.path;
    auto access = profile.access(find_account(profile, account_id), accounts::FallbackPrompts{});
    if (path.empty() || !access->has_server(mail::MailProtocol::Imap))
        throw Error(ErrorCategory::NotFound, "The message's text is not stored and there is no IMAP folder to fetch it from.");
    access->run(
        mail::MailProtocol::Imap,
        [&](const mail::ConnectionOptions& options) {
            mail::ImapSync(store, account_id, options).fetch_body(path, detail->summary.uid);
        },
        std::move(cancel));
}

std::int64_t write_draft(accounts::MailProfile& profile, std::int64_t account_id, std::int64_t draft_id,
                         const mail::ComposeFields& fields) {
    mail::DraftStore drafts(profile.profile.db());
    if (fields.empty()) {  // everything was deleted: so is the draft
        if (draft_id) drafts.remove(draft_id);
        return 0;
    }
    return drafts.save(account_id, draft_id, fields);
}

mail::QueuedMessage queue(accounts::MailProfile& profile, std::int64_t account_id, const std::string& from,
                          const mail::ComposeFields& fields, std::int64_t draft_id) {
    const auto queued = mail::queue_message(profile.profile.db(), account_id, from, fields, draft_id);
    for (const auto& file : fields.attachments)
        if (is_forwarded_file(profile.profile.dir(), file)) {
            std::error_code ignored;
            std::filesystem::remove_all(file.parent_path(), ignored);
        }
    return queued;
}

SendOutcome send(accounts::MailProfile& profile, std::int64_t account_id, std::int64_t outbox_id,
                 std::shared_ptr<CancelToken> cancel) {
    auto access = profile.access(find_account(profile, account_id), accounts::FallbackPrompts{});
    SendOutcome outcome;
    try {
        accounts::send_outbox(*access, profile.profile.db(), std::move(cancel));
    } catch (const Error& error) {
        if (error.category() == ErrorCategory::Cancelled) throw;
        outcome.stopped = error;  // the message is safe in the outbox: say why it waits
    }
    outcome.entry = mail::Outbox(profile.profile.db()).entry(outbox_id);
    return outcome;
}

bool is_forwarded_file(const std::filesystem::path& profile_dir, const std::filesystem::path& file) {
    return file.parent_path().parent_path() == profile_dir / "draft-files";
}

}  // namespace tern::ui::composer
