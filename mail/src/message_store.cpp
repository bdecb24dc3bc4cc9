#include "tern/mail/message_store.hpp"

#include "store_rows.hpp"
#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace tern::mail {
namespace store {
namespace {

// A message too large to parse whole still gets its envelope from the header block.
ParsedMessage parse_leniently(std::string_view raw) {
    try {
        return parse_message(raw);
    } catch (const Error& e) {
        spdlog::warn("message store: {}; reading its headers only", e.log_line());
        auto end = raw.find("\r\n\r\n");
        if (end == std::string_view::npos) end = raw.find("\n\n");
        return parse_message(raw.substr(0, std::min<std::size_t>(end, 1024 * 1024)));
    }
}

// What a list shows as a paper clip before the body is known.
bool attachments_likely(const std::string& content_type) {
    if (content_type == "multipart/mixed") return true;
    return content_type.compare(0, 5, "text/") != 0 && content_type.compare(0, 10, "multipart/") != 0;
}

std::string sender_text(const ParsedMessage& m) { return format_mailboxes(m.from); }

std::string recipients_text(const ParsedMessage& m) {
    std::string text = format_mailboxes(m.to);
    if (!m.cc.empty()) text += (text.empty() ? "" : ", ") + format_mailboxes(m.cc);
    return text;
}

}  // namespace

MessageSummary read_summary(const Statement& row, int c) {
    MessageSummary s;
    s.id = row.column_int(c);
    s.folder_id = row.column_int(c + 1);
    s.uid = row.column_optional_int(c + 2).value_or(0);
    s.flags = static_cast<int>(row.column_int(c + 3));
    s.date = row.column_int(c + 4);
    s.subject = row.column_text(c + 5);
    s.from_name = row.column_text(c + 6);
    s.from_addr = row.column_text(c + 7);
    s.has_attachments = row.column_int(c + 8) != 0;
    s.body_downloaded = row.column_text(c + 9) == "downloaded";
    return s;
}

std::optional<std::int64_t> message_row(Database& db, std::int64_t folder_id, std::int64_t uid) {
    auto st = db.prepare("SELECT id FROM messages WHERE folder_id = ?1 AND uid = ?2");
    st.bind(1, folder_id).bind(2, uid);
    if (!st.step()) return std::nullopt;
    return st.column_int(0);
}

std::int64_t folder_account(Database& db, std::int64_t folder_id) {
    auto st = db.prepare("SELECT account_id FROM folders WHERE id = ?1");
    st.bind(1, folder_id);
    if (!st.step())
        throw Error(ErrorCategory::NotFound, "This folder no longer exists.", "folder " + std::to_string(folder_id));
    return st.column_int(0);
}

namespace {

void store_envelope(Database& db, std::int64_t id, const ParsedMessage& m, std::size_t raw_size) {
    auto st = db.prepare(R"(
        UPDATE messages SET msgid = ?2, in_reply_to = ?3, subject = ?4, from_name = ?5, from_addr = ?6,
          to_list = ?7, cc_list = ?8, date = CASE WHEN ?9 > 0 THEN ?9 ELSE internal_date END,
          has_attachments = ?10, body_state = 'downloaded', size = CASE WHEN size > 0 THEN size ELSE ?11 END
        WHERE id = ?1)");
    st.bind(1, id).bind(2, m.message_id).bind(3, m.in_reply_to).bind(4, m.subject);
    st.bind(5, m.from.empty() ? std::string() : m.from.front().name);
    st.bind(6, m.from.empty() ? std::string() : m.from.front().address);
    st.bind(7, format_mailboxes(m.to)).bind(8, format_mailboxes(m.cc)).bind(9, m.date);
    st.bind(10, std::int64_t{m.has_attachments}).bind(11, static_cast<std::int64_t>(raw_size));
    st.run();
}

void store_attachments(Database& db, std::int64_t id, const std::vector<AttachmentInfo>& attachments) {
    auto clear = db.prepare("DELETE FROM attachments WHERE message_id = ?1");
    clear.bind(1, id).run();
    auto st = db.prepare("INSERT INTO attachments(message_id, position, filename, mime_type, size, content_id, "
                         "is_inline) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    for (std::size_t i = 0; i < attachments.size(); ++i) {
        const auto& a = attachments[i];
        st.bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, a.filename).bind(4, a.mime_type);
        st.bind(5, a.size).bind(6, a.content_id).bind(7, std::int64_t{a.is_inline});
        st.run();
        st.reset();
    }
}

}  // namespace

void store_body(Database& db, std::int64_t id, std::string_view raw) {
    const ParsedMessage m = parse_leniently(raw);
    store_envelope(db, id, m, raw.size());
    // Bound as text and stored as a blob: the bytes are kept exactly, NULs and all.
    auto body = db.prepare("INSERT INTO bodies(message_id, raw) VALUES (?1, CAST(?2 AS BLOB)) "
                           "ON CONFLICT(message_id) DO UPDATE SET raw = excluded.raw");
    body.bind(1, id).bind(2, raw).run();
    store_attachments(db, id, m.attachments);
    auto text = db.prepare(R"(
        INSERT INTO message_text(message_id, subject, sender, recipients, body) VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT(message_id) DO UPDATE SET subject = excluded.subject, sender = excluded.sender,
          recipients = excluded.recipients, body = excluded.body)");
    text.bind(1, id).bind(2, m.subject).bind(3, sender_text(m)).bind(4, recipients_text(m)).bind(5, m.text_body);
    text.run();
}

int PendingChanges::apply(std::int64_t uid, int server_flags) const {
    const auto it = flags.find(uid);
    if (it == flags.end()) return server_flags;
    return (server_flags | it->second.first) & ~it->second.second;
}

PendingChanges pending_changes(Database& db, std::int64_t folder_id) {
    PendingChanges changes;
    auto st = db.prepare(R"(
        SELECT uid, kind, COALESCE(json_extract(payload, '$.add'), 0), COALESCE(json_extract(payload, '$.remove'), 0)
        FROM pending_operations WHERE folder_id = ?1 AND uid IS NOT NULL ORDER BY id)");
    st.bind(1, folder_id);
    while (st.step()) {
        const auto uid = st.column_int(0);
        const auto kind = st.column_text(1);
        if (kind == "flags") {
            const int add = static_cast<int>(st.column_int(2)), remove = static_cast<int>(st.column_int(3));
            auto& [a, r] = changes.flags[uid];
            a = (a | add) & ~remove;
            r = (r | remove) & ~add;
        } else if (kind == "move" || kind == "delete") {
            changes.gone.insert(uid);
        }
    }
    return changes;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace store

MessageStore::MessageStore(Database& db) : db_(db) {}

// ---- folders ----

std::int64_t MessageStore::upsert_folder(std::int64_t account_id, const std::string& path,
                                         const std::string& separator, const std::string& role) {
    if (std::find(std::begin(folder_roles), std::end(folder_roles), role) == std::end(folder_roles))
        throw Error(ErrorCategory::BadInput, "\"" + role + "\" is not a folder role.",
                    "upsert_folder " + path + ": role " + role);
    Transaction tx(db_);
    auto account = db_.prepare("SELECT 1 FROM accounts WHERE id = ?1");
    account.bind(1, account_id);
    if (!account.step())
        throw Error(ErrorCategory::NotFound, "This account no longer exists.", "account " + std::to_string(account_id));
    auto st = db_.prepare(R"(
        INSERT INTO folders(account_id, path, separator, role) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT(account_id, path) DO UPDATE SET separator = excluded.separator, role = excluded.role
        RETURNING id)");
    st.bind(1, account_id).bind(2, path).bind(3, separator).bind(4, role);
    if (!st.step()) throw Error(ErrorCategory::Internal, {}, "upsert_folder: no row returned");
    const auto id = st.column_int(0);
    st.run();
    tx.commit();
    return id;
}

namespace {

FolderState read_folder(const Statement& st) {
    FolderState f;
    f.id = st.column_int(0);
    f.account_id = st.column_int(1);
    f.path = st.column_text(2);
    f.separator = st.column_text(3);
    f.role = st.column_text(4);
    f.uidvalidity = st.column_int(5);
    f.uidnext = st.column_int(6);
    f.highest_modseq = st.column_int(7);
    return f;
}

constexpr std::string_view folder_columns =
    "SELECT id, account_id, path, separator, role, uidvalidity, uidnext, highest_modseq FROM folders ";

// Move placeholders whose operations name UIDs of `folder_id` that are about to lose their
// meaning: the message goes back to the server's view at the next sync.
void drop_move_placeholders(Database& db, std::int64_t folder_id) {
    auto st = db.prepare(R"(
        DELETE FROM messages WHERE uid IS NULL AND id IN (
          SELECT json_extract(payload, '$.message') FROM pending_operations WHERE folder_id = ?1 AND kind = 'move'))");
    st.bind(1, folder_id).run();
}

}  // namespace

std::vector<FolderState> MessageStore::folders(std::int64_t account_id) {
    auto st = db_.prepare(std::string(folder_columns) + "WHERE account_id = ?1 ORDER BY path");
    st.bind(1, account_id);
    std::vector<FolderState> out;
    while (st.step()) out.push_back(read_folder(st));
    return out;
}

std::optional<FolderState> MessageStore::folder(std::int64_t account_id, const std::string& path) {
    auto st = db_.prepare(std::string(folder_columns) + "WHERE account_id = ?1 AND path = ?2");
    st.bind(1, account_id).bind(2, path);
    if (!st.step()) return std::nullopt;
    return read_folder(st);
}

void MessageStore::remove_folder(std::int64_t folder_id) {
    Transaction tx(db_);
    drop_move_placeholders(db_, folder_id);
    auto st = db_.prepare("DELETE FROM folders WHERE id = ?1");
    st.bind(1, folder_id).run();
    tx.commit();
}

void MessageStore::set_sync_state(std::int64_t folder_id, std::int64_t uidvalidity, std::int64_t uidnext,
                                  std::int64_t highest_modseq) {
    auto st = db_.prepare("UPDATE folders SET uidvalidity = ?2, uidnext = ?3, highest_modseq = ?4 WHERE id = ?1");
    st.bind(1, folder_id).bind(2, uidvalidity).bind(3, uidnext).bind(4, highest_modseq).run();
    if (db_.changes() == 0)
        throw Error(ErrorCategory::NotFound, "This folder no longer exists.", "folder " + std::to_string(folder_id));
}

void MessageStore::reset_folder(std::int64_t folder_id, std::int64_t new_uidvalidity) {
    Transaction tx(db_);
    store::folder_account(db_, folder_id);
    drop_move_placeholders(db_, folder_id);
    auto ops = db_.prepare("DELETE FROM pending_operations WHERE folder_id = ?1 AND uid IS NOT NULL");
    ops.bind(1, folder_id).run();
    auto messages = db_.prepare("DELETE FROM messages WHERE folder_id = ?1 AND uid IS NOT NULL");
    messages.bind(1, folder_id).run();
    auto state = db_.prepare("UPDATE folders SET uidvalidity = ?2, uidnext = 0, highest_modseq = 0 WHERE id = ?1");
    state.bind(1, folder_id).bind(2, new_uidvalidity).run();
    tx.commit();
}

// ---- server messages ----

namespace {

// Writes server messages' envelopes and index entries with statements prepared once per batch.
class EnvelopeWriter {
public:
    explicit EnvelopeWriter(Database& db)
        : with_headers_(db.prepare(R"(
            INSERT INTO messages(folder_id, uid, modseq, flags, internal_date, size, msgid, in_reply_to, subject,
                                 from_name, from_addr, to_list, cc_list, date, has_attachments)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
            ON CONFLICT(folder_id, uid) DO UPDATE SET
              modseq = excluded.modseq, flags = excluded.flags, internal_date = excluded.internal_date,
              size = excluded.size, msgid = excluded.msgid, in_reply_to = excluded.in_reply_to,
              subject = excluded.subject, from_name = excluded.from_name, from_addr = excluded.from_addr,
              to_list = excluded.to_list, cc_list = excluded.cc_list, date = excluded.date,
              has_attachments = CASE WHEN body_state = 'downloaded' THEN has_attachments
                                     ELSE excluded.has_attachments END
            RETURNING id)")),
          // Without headers (a caller refreshing flags) the envelope already stored is kept.
          without_headers_(db.prepare(R"(
            INSERT INTO messages(folder_id, uid, modseq, flags, internal_date, size, date)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5)
            ON CONFLICT(folder_id, uid) DO UPDATE SET modseq = excluded.modseq, flags = excluded.flags,
              internal_date = excluded.internal_date, size = excluded.size
            RETURNING id)")),
          text_(db.prepare(R"(
            INSERT INTO message_text(message_id, subject, sender, recipients) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT(message_id) DO UPDATE SET subject = excluded.subject, sender = excluded.sender,
              recipients = excluded.recipients)")),
          empty_text_(db.prepare("INSERT OR IGNORE INTO message_text(message_id) VALUES (?1)")) {}

    void write(std::int64_t folder_id, const ServerMessage& message, int flags) {
        if (message.header_bytes.empty()) {
            const auto id = upsert(without_headers_, folder_id, message, flags);
            empty_text_.bind(1, id).run();
            empty_text_.reset();
            return;
        }
        const ParsedMessage m = store::parse_leniently(message.header_bytes);
        auto& st = with_headers_;
        st.bind(7, m.message_id).bind(8, m.in_reply_to).bind(9, m.subject);
        st.bind(10, m.from.empty() ? std::string() : m.from.front().name);
        st.bind(11, m.from.empty() ? std::string() : m.from.front().address);
        st.bind(12, format_mailboxes(m.to)).bind(13, format_mailboxes(m.cc));
        st.bind(14, m.date > 0 ? m.date : message.internal_date);
        st.bind(15, std::int64_t{store::attachments_likely(m.content_type)});
        const auto id = upsert(st, folder_id, message, flags);
        text_.bind(1, id).bind(2, m.subject).bind(3, store::sender_text(m)).bind(4, store::recipients_text(m));
        text_.run();
        text_.reset();
    }

private:
    // Binds the server's fields (?1..?6), runs the upsert, returns the row id.
    static std::int64_t upsert(Statement& st, std::int64_t folder_id, const ServerMessage& message, int flags) {
        st.bind(1, folder_id).bind(2, message.uid).bind(3, message.modseq).bind(4, std::int64_t{flags});
        st.bind(5, message.internal_date).bind(6, message.size);
        st.step();
        const auto id = st.column_int(0);
        st.run();
        st.reset();
        return id;
    }

    Statement with_headers_, without_headers_, text_, empty_text_;
};

}  // namespace

void MessageStore::add_messages(std::int64_t folder_id, const std::vector<ServerMessage>& batch) {
    if (batch.empty()) return;
    Transaction tx(db_);
    store::folder_account(db_, folder_id);
    const auto pending = store::pending_changes(db_, folder_id);
    EnvelopeWriter writer(db_);
    for (const auto& message : batch) {
        if (message.uid <= 0)
            throw Error(ErrorCategory::BadInput, {},
                        "add_messages: uid " + std::to_string(message.uid) + " in folder " + std::to_string(folder_id));
        if (pending.gone.count(message.uid)) continue;
        writer.write(folder_id, message, pending.apply(message.uid, message.flags));
    }
    tx.commit();
}

bool MessageStore::set_body(std::int64_t folder_id, std::int64_t uid, std::string_view raw) {
    Transaction tx(db_);
    const auto id = store::message_row(db_, folder_id, uid);
    if (!id) return false;
    store::store_body(db_, *id, raw);
    tx.commit();
    return true;
}

std::vector<std::int64_t> MessageStore::set_bodies(std::int64_t folder_id,
                                                   const std::vector<std::pair<std::int64_t, std::string>>& bodies) {
    std::vector<std::int64_t> unknown;
    if (bodies.empty()) return unknown;
    Transaction tx(db_);
    for (const auto& [uid, raw] : bodies) {
        if (const auto id = store::message_row(db_, folder_id, uid))
            store::store_body(db_, *id, raw);
        else
            unknown.push_back(uid);
    }
    tx.commit();
    return unknown;
}

std::vector<std::int64_t> MessageStore::uids_without_body(std::int64_t folder_id, std::int64_t since_internal_date,
                                                          std::size_t limit) {
    auto st = db_.prepare(R"(
        SELECT uid FROM messages
        WHERE folder_id = ?1 AND body_state = 'none' AND uid IS NOT NULL AND internal_date >= ?2
        ORDER BY internal_date DESC, uid DESC LIMIT ?3)");
    st.bind(1, folder_id).bind(2, since_internal_date).bind(3, static_cast<std::int64_t>(limit));
    std::vector<std::int64_t> out;
    while (st.step()) out.push_back(st.column_int(0));
    return out;
}

void MessageStore::update_flags(std::int64_t folder_id, const std::vector<FlagUpdate>& updates) {
    if (updates.empty()) return;
    Transaction tx(db_);
    const auto pending = store::pending_changes(db_, folder_id);
    auto st = db_.prepare(R"(
        UPDATE messages SET flags = ?3, modseq = CASE WHEN ?4 > 0 THEN ?4 ELSE modseq END
        WHERE folder_id = ?1 AND uid = ?2)");
    for (const auto& u : updates) {
        st.bind(1, folder_id).bind(2, u.uid).bind(3, std::int64_t{pending.apply(u.uid, u.flags)}).bind(4, u.modseq);
        st.run();
        st.reset();
    }
    tx.commit();
}

void MessageStore::remove_uids(std::int64_t folder_id, const std::vector<std::int64_t>& uids) {
    if (uids.empty()) return;
    Transaction tx(db_);
    auto st = db_.prepare("DELETE FROM messages WHERE folder_id = ?1 AND uid = ?2");
    for (const auto uid : uids) {
        st.bind(1, folder_id).bind(2, uid).run();
        st.reset();
    }
    tx.commit();
}

std::vector<std::int64_t> MessageStore::uids(std::int64_t folder_id) {
    auto st = db_.prepare("SELECT uid FROM messages WHERE folder_id = ?1 AND uid IS NOT NULL ORDER BY uid");
    st.bind(1, folder_id);
    std::vector<std::int64_t> out;
    while (st.step()) out.push_back(st.column_int(0));
    return out;
}

std::int64_t MessageStore::max_uid(std::int64_t folder_id) {
    auto st = db_.prepare("SELECT COALESCE(MAX(uid), 0) FROM messages WHERE folder_id = ?1");
    st.bind(1, folder_id);
    st.step();
    return st.column_int(0);
}

// ---- reading ----

std::vector<MessageSummary> MessageStore::list(std::int64_t folder_id, std::size_t offset, std::size_t limit) {
    auto st = db_.prepare("SELECT " + std::string(store::summary_columns) +
                          " FROM messages m WHERE m.folder_id = ?1 ORDER BY m.date DESC, m.id DESC LIMIT ?2 OFFSET ?3");
    st.bind(1, folder_id).bind(2, static_cast<std::int64_t>(limit)).bind(3, static_cast<std::int64_t>(offset));
    std::vector<MessageSummary> out;
    while (st.step()) out.push_back(store::read_summary(st, 0));
    return out;
}

std::optional<MessageDetail> MessageStore::message(std::int64_t folder_id, std::int64_t uid) {
    const auto id = store::message_row(db_, folder_id, uid);
    if (!id) return std::nullopt;
    return message_by_id(*id);
}

std::optional<MessageDetail> MessageStore::message_by_id(std::int64_t message_id) {
    auto st = db_.prepare("SELECT " + std::string(store::summary_columns) +
                          ", m.msgid, m.in_reply_to, m.to_list, m.cc_list, COALESCE(t.body, '')"
                          " FROM messages m LEFT JOIN message_text t ON t.message_id = m.id"
                          " WHERE m.id = ?1");
    st.bind(1, message_id);
    if (!st.step()) return std::nullopt;
    MessageDetail d;
    d.summary = store::read_summary(st, 0);
    constexpr int c = store::summary_column_count;
    d.message_id = st.column_text(c);
    d.in_reply_to = st.column_text(c + 1);
    d.to = st.column_text(c + 2);
    d.cc = st.column_text(c + 3);
    d.text_body = st.column_text(c + 4);

    auto att = db_.prepare("SELECT filename, mime_type, size, content_id, is_inline FROM attachments "
                           "WHERE message_id = ?1 ORDER BY position");
    att.bind(1, d.summary.id);
    while (att.step())
        d.attachments.push_back({att.column_text(0), att.column_text(1), att.column_int(2), att.column_text(3),
                                 att.column_int(4) != 0});
    return d;
}

std::optional<std::string> MessageStore::raw_message(std::int64_t folder_id, std::int64_t uid) {
    auto st = db_.prepare("SELECT b.raw FROM bodies b JOIN messages m ON m.id = b.message_id "
                          "WHERE m.folder_id = ?1 AND m.uid = ?2");
    st.bind(1, folder_id).bind(2, uid);
    if (!st.step()) return std::nullopt;
    return st.column_text(0);
}

std::optional<std::string> MessageStore::raw_message_by_id(std::int64_t message_id) {
    auto st = db_.prepare("SELECT raw FROM bodies WHERE message_id = ?1");
    st.bind(1, message_id);
    if (!st.step()) return std::nullopt;
    return st.column_text(0);
}

MessageStore::Counts MessageStore::counts(std::int64_t folder_id) {
    Counts c;
    auto total = db_.prepare("SELECT count(*) FROM messages WHERE folder_id = ?1");
    total.bind(1, folder_id).step();
    c.total = total.column_int(0);
    auto unread = db_.prepare("SELECT count(*) FROM messages WHERE folder_id = ?1 AND (flags & 1) = 0");
    unread.bind(1, folder_id).step();
    c.unread = unread.column_int(0);
    return c;
}

}  // namespace tern::mail
