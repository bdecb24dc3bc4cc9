#include "tern/mail/pop3_uidls.hpp"

namespace tern::mail {

Pop3Uidls::Pop3Uidls(Database& db, std::int64_t account_id) : db_(db), account_id_(account_id) {}

std::vector<Pop3UidlRow> Pop3Uidls::rows() {
    auto st = db_.prepare(
        "SELECT uidl, uid, downloaded_at, deleted_on_server FROM pop3_uidls WHERE account_id = ?1 ORDER BY uid");
    st.bind(1, account_id_);
    std::vector<Pop3UidlRow> out;
    while (st.step())
        out.push_back({st.column_text(0), st.column_int(1), st.column_optional_int(2), st.column_int(3) != 0});
    return out;
}

std::vector<std::int64_t> Pop3Uidls::reserve(std::int64_t folder_id, const std::vector<std::string>& uidls) {
    Transaction tx(db_);
    // Read inside the transaction: another process downloading the same account at the same time
    // gets the same uid for the same UIDL, so the message is stored once.
    auto top = db_.prepare(R"(
        SELECT max(COALESCE((SELECT max(uid) FROM pop3_uidls WHERE account_id = ?1), 0),
                   COALESCE((SELECT max(uid) FROM messages WHERE folder_id = ?2), 0)))");
    top.bind(1, account_id_).bind(2, folder_id);
    top.step();
    std::int64_t next = top.column_int(0) + 1;

    auto find = db_.prepare("SELECT uid FROM pop3_uidls WHERE account_id = ?1 AND uidl = ?2");
    auto insert = db_.prepare("INSERT INTO pop3_uidls(account_id, uidl, uid) VALUES (?1, ?2, ?3)");
    std::vector<std::int64_t> out;
    out.reserve(uidls.size());
    for (const auto& uidl : uidls) {
        find.bind(1, account_id_).bind(2, uidl);
        if (find.step()) {
            out.push_back(find.column_int(0));
        } else {
            insert.bind(1, account_id_).bind(2, uidl).bind(3, next).run();
            insert.reset();
            out.push_back(next++);
        }
        find.reset();
    }
    tx.commit();
    return out;
}

namespace {

void for_each_uidl(Database& db, std::int64_t account_id, const std::vector<std::string>& uidls, const char* sql,
                   const std::optional<std::int64_t>& value = std::nullopt) {
    if (uidls.empty()) return;
    Transaction tx(db);
    auto st = db.prepare(sql);
    for (const auto& uidl : uidls) {
        st.bind(1, account_id).bind(2, uidl);
        if (value) st.bind(3, *value);
        st.run();
        st.reset();
    }
    tx.commit();
}

}  // namespace

void Pop3Uidls::mark_downloaded(const std::vector<std::string>& uidls, std::int64_t when) {
    for_each_uidl(db_, account_id_, uidls,
                  "UPDATE pop3_uidls SET downloaded_at = ?3 WHERE account_id = ?1 AND uidl = ?2 AND downloaded_at IS NULL",
                  when);
}

void Pop3Uidls::mark_deleted_on_server(const std::vector<std::string>& uidls) {
    for_each_uidl(db_, account_id_, uidls,
                  "UPDATE pop3_uidls SET deleted_on_server = 1 WHERE account_id = ?1 AND uidl = ?2");
}

void Pop3Uidls::forget(const std::vector<std::string>& uidls) {
    for_each_uidl(db_, account_id_, uidls,
                  "DELETE FROM pop3_uidls WHERE account_id = ?1 AND uidl = ?2 AND downloaded_at IS NULL");
}

}  // namespace tern::mail
