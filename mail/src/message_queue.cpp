// The queue of the user's changes waiting for the server (pending_operations). Each change is
// applied to the local rows and queued in one transaction, so that a crash never keeps one
// without the other.
#include "store_rows.hpp"
#include "tern/core/error.hpp"
#include "tern/mail/message_store.hpp"

namespace tern::mail {
namespace {

constexpr int all_flags = Seen | Answered | Flagged | Deleted | Draft;

Error message_not_found(std::int64_t folder_id, std::int64_t uid) {
    return Error(ErrorCategory::NotFound, "This message is no longer in the folder.",
                 "folder " + std::to_string(folder_id) + " uid " + std::to_string(uid));
}

// Inserts an operation; `payload_sql` is an SQL expression over ?5 and ?6 building the JSON.
std::int64_t insert_operation(Database& db, std::int64_t folder_id, std::optional<std::int64_t> uid,
                              const char* kind, const std::string& payload_sql, std::int64_t a = 0,
                              std::int64_t b = 0) {
    auto st = db.prepare("INSERT INTO pending_operations(account_id, folder_id, uid, kind, payload, created_at) "
                         "VALUES (?1, ?2, ?3, ?4, " + payload_sql + ", ?7)");
    st.bind(1, store::folder_account(db, folder_id)).bind(2, folder_id).bind(3, uid).bind(4, kind);
    st.bind(5, a).bind(6, b).bind(7, store::now_seconds());
    st.run();
    return db.last_insert_rowid();
}

struct Operation {
    std::string kind;
    std::int64_t message = 0;  // the local row of a move or an append
};

std::optional<Operation> find_operation(Database& db, std::int64_t operation_id) {
    auto st = db.prepare("SELECT kind, COALESCE(json_extract(payload, '$.message'), 0) FROM pending_operations "
                         "WHERE id = ?1");
    st.bind(1, operation_id);
    if (!st.step()) return std::nullopt;
    return Operation{st.column_text(0), st.column_int(1)};
}

void delete_operation(Database& db, std::int64_t operation_id) {
    auto st = db.prepare("DELETE FROM pending_operations WHERE id = ?1");
    st.bind(1, operation_id).run();
}

void delete_placeholder(Database& db, std::int64_t message) {
    auto st = db.prepare("DELETE FROM messages WHERE id = ?1 AND uid IS NULL");
    st.bind(1, message).run();
}

}  // namespace

std::int64_t MessageStore::queue_flag_change(std::int64_t folder_id, std::int64_t uid, int add, int remove) {
    if ((add & ~all_flags) || (remove & ~all_flags) || (add & remove))
        throw Error(ErrorCategory::BadInput, {},
                    "queue_flag_change: add " + std::to_string(add) + " remove " + std::to_string(remove));
    Transaction tx(db_);
    const auto row = store::message_row(db_, folder_id, uid);
    if (!row) throw message_not_found(folder_id, uid);
    auto st = db_.prepare("UPDATE messages SET flags = (flags | ?2) & ~?3 WHERE id = ?1");
    st.bind(1, *row).bind(2, std::int64_t{add}).bind(3, std::int64_t{remove}).run();
    const auto id = insert_operation(db_, folder_id, uid, "flags", "json_object('add', ?5, 'remove', ?6)", add, remove);
    tx.commit();
    return id;
}

std::int64_t MessageStore::queue_move(std::int64_t folder_id, std::int64_t uid, std::int64_t target_folder_id) {
    Transaction tx(db_);
    const auto row = store::message_row(db_, folder_id, uid);
    if (!row) throw message_not_found(folder_id, uid);
    if (target_folder_id == folder_id ||
        store::folder_account(db_, target_folder_id) != store::folder_account(db_, folder_id))
        throw Error(ErrorCategory::BadInput, "A message can only move to another folder of the same account.",
                    "queue_move: folder " + std::to_string(folder_id) + " to " + std::to_string(target_folder_id));
    // The row itself moves, with its body and index entry; the server's UID comes with complete().
    auto st = db_.prepare("UPDATE messages SET folder_id = ?2, uid = NULL, modseq = 0 WHERE id = ?1");
    st.bind(1, *row).bind(2, target_folder_id).run();
    const auto id = insert_operation(db_, folder_id, uid, "move", "json_object('target_folder_id', ?5, 'message', ?6)",
                                     target_folder_id, *row);
    tx.commit();
    return id;
}

std::int64_t MessageStore::queue_delete(std::int64_t folder_id, std::int64_t uid) {
    Transaction tx(db_);
    const auto row = store::message_row(db_, folder_id, uid);
    if (!row) throw message_not_found(folder_id, uid);
    auto st = db_.prepare("DELETE FROM messages WHERE id = ?1");
    st.bind(1, *row).run();
    const auto id = insert_operation(db_, folder_id, uid, "delete", "json_object()");
    tx.commit();
    return id;
}

std::int64_t MessageStore::queue_append(std::int64_t folder_id, std::string_view raw, int flags) {
    if (flags & ~all_flags)
        throw Error(ErrorCategory::BadInput, {}, "queue_append: flags " + std::to_string(flags));
    Transaction tx(db_);
    store::folder_account(db_, folder_id);
    auto st = db_.prepare("INSERT INTO messages(folder_id, uid, flags, internal_date, size) VALUES (?1, NULL, ?2, ?3, ?4)");
    st.bind(1, folder_id).bind(2, std::int64_t{flags}).bind(3, store::now_seconds());
    st.bind(4, static_cast<std::int64_t>(raw.size())).run();
    const auto row = db_.last_insert_rowid();
    store::store_body(db_, row, raw);
    const auto id =
        insert_operation(db_, folder_id, std::nullopt, "append", "json_object('message', ?5, 'add', ?6)", row, flags);
    tx.commit();
    return id;
}

std::vector<PendingOperation> MessageStore::pending(std::int64_t account_id) {
    auto st = db_.prepare(R"(
        SELECT id, account_id, folder_id, COALESCE(uid, 0), kind, payload, created_at,
               COALESCE(json_extract(payload, '$.add'), 0), COALESCE(json_extract(payload, '$.remove'), 0),
               COALESCE(json_extract(payload, '$.target_folder_id'), 0), COALESCE(json_extract(payload, '$.message'), 0)
        FROM pending_operations WHERE account_id = ?1 ORDER BY id)");
    st.bind(1, account_id);
    std::vector<PendingOperation> out;
    while (st.step()) {
        PendingOperation op;
        op.id = st.column_int(0);
        op.account_id = st.column_int(1);
        op.folder_id = st.column_int(2);
        op.uid = st.column_int(3);
        op.kind = st.column_text(4);
        op.payload = st.column_text(5);
        op.created_at = st.column_int(6);
        op.add_flags = static_cast<int>(st.column_int(7));
        op.remove_flags = static_cast<int>(st.column_int(8));
        op.target_folder_id = st.column_int(9);
        op.message = st.column_int(10);
        out.push_back(std::move(op));
    }
    return out;
}

void MessageStore::complete(std::int64_t operation_id, std::optional<std::int64_t> new_uid) {
    Transaction tx(db_);
    const auto op = find_operation(db_, operation_id);
    if (!op) return;
    if (op->kind == "move" || op->kind == "append") {
        auto placeholder = db_.prepare("SELECT folder_id FROM messages WHERE id = ?1 AND uid IS NULL");
        placeholder.bind(1, op->message);
        const bool exists = placeholder.step();
        if (exists && new_uid && *new_uid > 0 && !store::message_row(db_, placeholder.column_int(0), *new_uid)) {
            auto st = db_.prepare("UPDATE messages SET uid = ?2 WHERE id = ?1");
            st.bind(1, op->message).bind(2, *new_uid).run();
        } else if (exists) {
            delete_placeholder(db_, op->message);
        }
    }
    delete_operation(db_, operation_id);
    tx.commit();
}

void MessageStore::discard(std::int64_t operation_id) {
    Transaction tx(db_);
    const auto op = find_operation(db_, operation_id);
    if (!op) return;
    if (op->kind == "move") delete_placeholder(db_, op->message);
    delete_operation(db_, operation_id);
    tx.commit();
}

}  // namespace tern::mail
