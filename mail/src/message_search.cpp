// MessageStore::search: the FTS5 index for words, plain SQL for the rest. The page query sorts
// only the matches of one account; the count is a separate query capped at search_count_cap, so
// that a common word over a large mailbox costs a bounded amount twice, not a full sort.
#include "store_rows.hpp"
#include "tern/mail/message_store.hpp"

namespace tern::mail {
namespace {

// bm25 with the weights of the index columns (subject, sender, recipients, body), in millionths:
// an integer reads back the same in every locale, and the rounding only matters for ties, which
// the date breaks anyway.
constexpr const char* ranking = "CAST(bm25(message_index, 10.0, 5.0, 3.0, 1.0) * 1000000 AS INTEGER)";

void bind_all(Statement& st, int first, const std::vector<std::int64_t>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) st.bind(first + static_cast<int>(i), values[i]);
}

}  // namespace

SearchPage MessageStore::search(std::int64_t account_id, const SearchQuery& query, std::size_t offset,
                                std::size_t limit) {
    SearchPage page;
    const std::string columns = "SELECT " + std::string(store::summary_columns);
    const auto cap = static_cast<std::int64_t>(search_count_cap);

    if (const auto words = compile_search(query, 5); !words.match.empty()) {
        // ?1 match, ?2 account, ?3 limit, ?4 offset, ?5.. conditions
        const std::string from = " FROM message_index JOIN messages m ON m.id = message_index.rowid"
                                 " JOIN folders f ON f.id = m.folder_id"
                                 " WHERE message_index MATCH ?1 AND f.account_id = ?2" + words.conditions;
        auto st = db_.prepare(columns + ", " + ranking + ", snippet(message_index, -1, char(2), char(3), '…', 16)" +
                              from + " ORDER BY 11, m.date DESC, m.id DESC LIMIT ?3 OFFSET ?4");
        st.bind(1, words.match).bind(2, account_id).bind(3, static_cast<std::int64_t>(limit));
        st.bind(4, static_cast<std::int64_t>(offset));
        bind_all(st, 5, words.parameters);
        while (st.step()) {
            SearchHit hit;
            hit.summary = store::read_summary(st, 0);
            hit.rank = static_cast<double>(st.column_int(store::summary_column_count)) / 1e6;
            hit.snippet = st.column_text(store::summary_column_count + 1);
            page.hits.push_back(std::move(hit));
        }
        auto count = db_.prepare("SELECT count(*) FROM (SELECT 1" + from + " LIMIT ?3)");
        count.bind(1, words.match).bind(2, account_id).bind(3, cap + 1);
        bind_all(count, 5, words.parameters);
        count.step();
        page.total = count.column_int(0);
    } else {
        const auto filters = compile_search(query, 4);  // ?1 account, ?2 limit, ?3 offset, ?4.. conditions
        const std::string from = " FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.account_id = ?1" +
                                 filters.conditions;
        auto st = db_.prepare(columns + from + " ORDER BY m.date DESC, m.id DESC LIMIT ?2 OFFSET ?3");
        st.bind(1, account_id).bind(2, static_cast<std::int64_t>(limit)).bind(3, static_cast<std::int64_t>(offset));
        bind_all(st, 4, filters.parameters);
        while (st.step()) page.hits.push_back({store::read_summary(st, 0), 0.0, {}});
        auto count = db_.prepare("SELECT count(*) FROM (SELECT 1" + from + " LIMIT ?2)");
        count.bind(1, account_id).bind(2, cap + 1);
        bind_all(count, 4, filters.parameters);
        count.step();
        page.total = count.column_int(0);
    }
    page.total_is_capped = page.total > cap;
    if (page.total_is_capped) page.total = cap;
    return page;
}

}  // namespace tern::mail
