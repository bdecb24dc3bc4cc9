#include "tern/mail/drafts.hpp"

#include "tern/mail/outbox.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

namespace tern::mail {
namespace {

std::string to_json(const ComposeFields& f) {
    nlohmann::json attachments = nlohmann::json::array();
    for (const auto& a : f.attachments) attachments.push_back(a.u8string());
    return nlohmann::json{{"to", f.to},
                          {"cc", f.cc},
                          {"bcc", f.bcc},
                          {"subject", f.subject},
                          {"body", f.body},
                          {"attachments", attachments},
                          {"in_reply_to", f.in_reply_to},
                          {"references", f.references}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <typename T>
T field(const nlohmann::json& j, const char* name) {
    const auto it = j.find(name);
    if (it == j.end()) return T{};
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception&) {
        return T{};
    }
}

ComposeFields from_json(const std::string& text) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    ComposeFields f;
    if (!j.is_object()) return f;
    f.to = field<std::vector<std::string>>(j, "to");
    f.cc = field<std::vector<std::string>>(j, "cc");
    f.bcc = field<std::vector<std::string>>(j, "bcc");
    f.subject = field<std::string>(j, "subject");
    f.body = field<std::string>(j, "body");
    for (const auto& a : field<std::vector<std::string>>(j, "attachments")) f.attachments.push_back(std::filesystem::u8path(a));
    f.in_reply_to = field<std::string>(j, "in_reply_to");
    f.references = field<std::vector<std::string>>(j, "references");
    return f;
}

SavedDraft read_draft(const Statement& st) {
    return {st.column_int(0), st.column_int(1), from_json(st.column_text(2)), st.column_int(3)};
}

}  // namespace

std::int64_t DraftStore::save(std::int64_t account_id, std::int64_t id, const ComposeFields& fields) {
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    if (id) {
        auto update = db_.prepare("UPDATE drafts SET fields = ?, updated_at = ? WHERE id = ? AND account_id = ?");
        update.bind(1, to_json(fields)).bind(2, now).bind(3, id).bind(4, account_id).run();
        if (db_.changes() > 0) return id;
    }
    auto insert = db_.prepare("INSERT INTO drafts (account_id, fields, updated_at) VALUES (?, ?, ?)");
    insert.bind(1, account_id).bind(2, to_json(fields)).bind(3, now).run();
    return db_.last_insert_rowid();
}

std::optional<SavedDraft> DraftStore::load(std::int64_t id) {
    auto st = db_.prepare("SELECT id, account_id, fields, updated_at FROM drafts WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return read_draft(st);
}

std::vector<SavedDraft> DraftStore::list(std::int64_t account_id) {
    auto st = db_.prepare(
        "SELECT id, account_id, fields, updated_at FROM drafts WHERE account_id = ? ORDER BY updated_at DESC, id DESC");
    st.bind(1, account_id);
    std::vector<SavedDraft> out;
    while (st.step()) out.push_back(read_draft(st));
    return out;
}

bool DraftStore::remove(std::int64_t id) {
    db_.prepare("DELETE FROM drafts WHERE id = ?").bind(1, id).run();
    return db_.changes() > 0;
}

QueuedMessage queue_message(Database& db, std::int64_t account_id, const std::string& from,
                            const ComposeFields& fields, std::int64_t draft_id) {
    const auto composed = compose_message(to_message_draft(fields, from));
    Transaction transaction(db);
    Outbox outbox(db);
    const auto id = outbox.enqueue(account_id, {composed.envelope_from, composed.recipients, composed.bytes}, fields.subject);
    if (draft_id) DraftStore(db).remove(draft_id);
    transaction.commit();
    return {id, composed.message_id};
}

}  // namespace tern::mail
