// MessageStore::search: the FTS5 index for words, plain SQL for the rest. The page query sorts
// only the matches of one account; the count is a separate query capped at search_count_cap, so
// that a common word over a large mailbox costs a bounded amount twice, not a full sort.
#include "store_rows.hpp"
#include "tern/mail/message_store.hpp"

#include <algorithm>
#include <unordered_map>

namespace tern::mail {
namespace {

// bm25 with the weights of the index columns (subject, sender, recipients, body), in millionths:
// an integer reads back the same in every locale, and the rounding only matters for ties, which
// the date breaks anyway.
constexpr const char* ranking = "CAST(bm25(message_index, 10.0, 5.0, 3.0, 1.0) * 1000000 AS INTEGER)";

constexpr const char* snippet = "snippet(message_index, -1, char(2), char(3), '…', 16)";

void bind_all(Statement& st, int first, const std::vector<std::int64_t>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) st.bind(first + static_cast<int>(i), values[i]);
}

// The summary columns, then the rank and the snippet.
SearchHit read_hit(const Statement& st) {
    SearchHit hit;
    hit.summary = store::read_summary(st, 0);
    hit.rank = static_cast<double>(st.column_int(store::summary_column_count)) / 1e6;
    hit.snippet = st.column_text(store::summary_column_count + 1);
    return hit;
}

// True when no other account has folders (the usual profile): the whole index is this account's.
bool only_account(Database& db, std::int64_t account_id) {
    auto st = db.prepare("SELECT NOT EXISTS (SELECT 1 FROM folders WHERE account_id <> ?1)");
    st.bind(1, account_id);
    st.step();
    return st.column_int(0) != 0;
}

// Matches are ranked in windows of this many, newest first: the first window is the newest
// rank_window matches by bm25, the next the older ones after them, and so on. Every match is on
// exactly one page, and a page costs at most two windows of bm25, however many messages match
// (ranking all 13 000 matches of a common word was most of a first page at 100 000 messages).
constexpr std::size_t rank_window = 2000;

// One page of matches ranked inside FTS5, then the messages and snippets of that page only.
// Equal ranks go newest stored first (message ids grow as mail arrives).
std::vector<SearchHit> ranked_page(Database& db, const std::string& match, std::size_t offset, std::size_t limit) {
    if (limit == 0) return {};
    auto window = db.prepare(std::string("SELECT rowid, ") + ranking +
                             " FROM message_index WHERE message_index MATCH ?1 ORDER BY rowid DESC LIMIT ?2 OFFSET ?3");
    std::vector<std::int64_t> ids;
    const std::size_t first = offset / rank_window, last = (offset + limit - 1) / rank_window;
    for (std::size_t w = first; w <= last; ++w) {
        std::vector<std::pair<std::int64_t, std::int64_t>> ranked;  // rank, id
        window.reset();
        window.bind(1, match).bind(2, static_cast<std::int64_t>(rank_window));
        window.bind(3, static_cast<std::int64_t>(w * rank_window));
        while (window.step()) ranked.emplace_back(window.column_int(1), window.column_int(0));
        std::sort(ranked.begin(), ranked.end(),
                  [](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : a.second > b.second; });
        const std::size_t from = w == first ? offset - w * rank_window : 0;
        for (std::size_t i = from; i < ranked.size() && ids.size() < limit; ++i) ids.push_back(ranked[i].second);
        if (ranked.size() < rank_window) break;  // no older matches
    }
    if (ids.empty()) return {};

    std::string id_list;
    for (const auto id : ids) id_list += (id_list.empty() ? "" : ",") + std::to_string(id);
    auto rows = db.prepare("SELECT " + std::string(store::summary_columns) + ", " + ranking + ", " + snippet +
                           " FROM message_index JOIN messages m ON m.id = message_index.rowid"
                           " WHERE message_index MATCH ?1 AND message_index.rowid IN (" + id_list + ")");
    rows.bind(1, match);
    std::unordered_map<std::int64_t, SearchHit> by_id;
    while (rows.step()) {
        auto hit = read_hit(rows);
        by_id.emplace(hit.summary.id, std::move(hit));
    }
    std::vector<SearchHit> page;
    page.reserve(ids.size());
    for (const auto id : ids)
        if (auto it = by_id.find(id); it != by_id.end()) page.push_back(std::move(it->second));
    return page;
}

}  // namespace

SearchPage MessageStore::search(std::int64_t account_id, const SearchQuery& query, std::size_t offset,
                                std::size_t limit) {
    SearchPage page;
    const std::string columns = "SELECT " + std::string(store::summary_columns);
    const auto cap = static_cast<std::int64_t>(search_count_cap);

    if (const auto words = compile_search(query, 5); !words.match.empty()) {
        // ?1 match, ?2 account, ?3 limit, ?4 offset, ?5.. conditions
        const bool index_is_this_accounts = words.conditions.empty() && only_account(db_, account_id);
        if (index_is_this_accounts) {
            // Every row of the index is this account's and nothing else filters: rank inside FTS5
            // alone and join only the page (joining each of thousands of matches to its message
            // and folder before ranking was most of the time of a common word at 100 000).
            page.hits = ranked_page(db_, words.match, offset, limit);
            auto count = db_.prepare(
                "SELECT count(*) FROM (SELECT 1 FROM message_index WHERE message_index MATCH ?1 LIMIT ?2)");
            count.bind(1, words.match).bind(2, cap + 1);
            count.step();
            page.total = count.column_int(0);
        } else {
            const std::string from = " FROM message_index JOIN messages m ON m.id = message_index.rowid"
                                     " JOIN folders f ON f.id = m.folder_id"
                                     " WHERE message_index MATCH ?1 AND f.account_id = ?2" + words.conditions;
            auto st = db_.prepare(columns + ", " + ranking + ", " + snippet + from +
                                  " ORDER BY 11, m.id DESC LIMIT ?3 OFFSET ?4");
            st.bind(1, words.match).bind(2, account_id).bind(3, static_cast<std::int64_t>(limit));
            st.bind(4, static_cast<std::int64_t>(offset));
            bind_all(st, 5, words.parameters);
            while (st.step()) page.hits.push_back(read_hit(st));
            auto count = db_.prepare("SELECT count(*) FROM (SELECT 1" + from + " LIMIT ?3)");
            count.bind(1, words.match).bind(2, account_id).bind(3, cap + 1);
            bind_all(count, 5, words.parameters);
            count.step();
            page.total = count.column_int(0);
        }
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
