#include "tern/mail/message_listing.hpp"

#include "store_rows.hpp"

#include <nlohmann/json.hpp>

#include <unordered_map>

namespace tern::mail {

std::vector<std::int64_t> ordered_message_ids(Database& db, std::int64_t folder_id, MessageOrder order,
                                              bool descending) {
    // Date order walks the messages_by_date index backwards or forwards; the others sort in SQLite.
    const std::string dir = descending ? " DESC" : " ASC";
    std::string order_by;
    switch (order) {
        case MessageOrder::Date: order_by = "date" + dir + ", id" + dir; break;
        case MessageOrder::Sender:
            order_by = "CASE WHEN from_name = '' THEN from_addr ELSE from_name END COLLATE NOCASE" + dir +
                       ", date DESC, id DESC";
            break;
        case MessageOrder::Subject: order_by = "subject COLLATE NOCASE" + dir + ", date DESC, id DESC"; break;
    }
    auto st = db.prepare("SELECT id FROM messages WHERE folder_id = ?1 ORDER BY " + order_by);
    st.bind(1, folder_id);
    std::vector<std::int64_t> ids;
    while (st.step()) ids.push_back(st.column_int(0));
    return ids;
}

std::vector<MessageSummary> message_summaries(Database& db, const std::vector<std::int64_t>& ids) {
    if (ids.empty()) return {};
    auto st = db.prepare("SELECT " + std::string(store::summary_columns) +
                         " FROM messages m WHERE m.id IN (SELECT value FROM json_each(?1))");
    st.bind(1, nlohmann::json(ids).dump());
    std::unordered_map<std::int64_t, MessageSummary> by_id;
    while (st.step()) {
        auto summary = store::read_summary(st, 0);
        by_id.emplace(summary.id, std::move(summary));
    }
    std::vector<MessageSummary> out;
    out.reserve(by_id.size());
    for (const auto id : ids)
        if (auto it = by_id.find(id); it != by_id.end()) out.push_back(std::move(it->second));
    return out;
}

}  // namespace tern::mail
