// MessageStore::search: the FTS5 indexes for words, plain SQL for the rest. The page query sorts
// only the matches of one account; the count is a separate query capped at search_count_cap, so
// that a common word over a large mailbox costs a bounded amount twice, not a full sort.
//
// from:, to: and subject: terms read message_header_index (the three header columns only) rather
// than message_index, whose position lists also carry every body: a column filter there decodes
// each match's positions only to drop most of them. A query with both kinds joins the two indexes
// on the message id, the smaller side first. Ranks stay those of bm25 over message_index: bm25
// adds up one term per phrase, and tern_bm25 computes a phrase's term as FTS5's bm25 does, from
// message_index's row count, token count and document lengths.
#include "store_rows.hpp"
#include "tern/core/error.hpp"
#include "tern/mail/message_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace tern::mail {
namespace {

// bm25 with the weights of the index columns (subject, sender, recipients, body), in millionths:
// an integer reads back the same in every locale, and the rounding only matters for ties, which
// the date breaks anyway.
constexpr const char* ranking = "CAST(bm25(message_index, 10.0, 5.0, 3.0, 1.0) * 1000000 AS INTEGER)";
constexpr double column_weights[] = {10.0, 5.0, 3.0, 1.0};  // message_header_index has the first three

constexpr const char* snippet_arguments = ", -1, char(2), char(3), '…', 16)";

// The leading members of SQLite's FTS5 extension interface (fts5.h, which Debian does not ship),
// in its order: enough to register an auxiliary function and read a row's phrase hits.
struct FtsContext;
struct FtsApi {
    int version;
    void* (*user_data)(FtsContext*);
    int (*column_count)(FtsContext*);
    int (*row_count)(FtsContext*, sqlite3_int64*);
    int (*column_total_size)(FtsContext*, int, sqlite3_int64*);
    int (*tokenize)(FtsContext*, const char*, int, void*, int (*)(void*, int, const char*, int, int, int));
    int (*phrase_count)(FtsContext*);
    int (*phrase_size)(FtsContext*, int);
    int (*inst_count)(FtsContext*, int*);
    int (*inst)(FtsContext*, int, int*, int*, int*);
    sqlite3_int64 (*rowid)(FtsContext*);
    int (*column_text)(FtsContext*, int, const char**, int*);
    int (*column_size)(FtsContext*, int, int*);
};
using FtsFunction = void (*)(const FtsApi*, FtsContext*, sqlite3_context*, int, sqlite3_value**);
struct FtsGlobal {
    int version;
    void* create_tokenizer;
    void* find_tokenizer;
    int (*create_function)(FtsGlobal*, const char*, void*, FtsFunction, void (*)(void*));
};

// An SQLite varint (as FTS5 stores sizes and totals); false at the end of the bytes.
bool read_varint(const unsigned char*& p, const unsigned char* end, std::int64_t& value) {
    std::uint64_t v = 0;
    for (int i = 0; i < 9; ++i) {
        if (p == end) return false;
        const unsigned char byte = *p++;
        if (i == 8) return value = static_cast<std::int64_t>((v << 8) | byte), true;
        v = (v << 7) | (byte & 0x7f);
        if (!(byte & 0x80)) break;
    }
    value = static_cast<std::int64_t>(v);
    return true;
}

// The sum of the varints of an FTS5 size record.
std::int64_t varint_sum(const unsigned char* p, const unsigned char* end) {
    std::int64_t sum = 0, value = 0;
    while (read_varint(p, end, value)) sum += value;
    return sum;
}

// tern_bm25(index, rows, tokens, sizes, hits...): this row's share of FTS5's bm25 (the same
// arithmetic, so the same bits) for the phrases of this index's query, with message_index's
// statistics: `rows` and `tokens` its totals, `sizes` the row's message_index_docsize record
// (NULL: this index is message_index, ask it), one `hits` per phrase (the rows that phrase
// matches alone). Everything comes in as arguments because FTS5 drops a function's cached data
// each time a join looks a row up again.
void tern_bm25(const FtsApi* api, FtsContext* fts, sqlite3_context* ctx, int count, sqlite3_value** args) {
    const double k1 = 1.2;
    const double b = 0.75;
    const int phrases = api->phrase_count(fts);
    if (count != 3 + phrases) return sqlite3_result_error(ctx, "tern_bm25: one hit count per phrase", -1);
    const sqlite3_int64 rows = sqlite3_value_int64(args[0]);
    const sqlite3_int64 tokens = sqlite3_value_int64(args[1]);
    const double avgdl = static_cast<double>(tokens) / static_cast<double>(rows);

    std::vector<double> freq(static_cast<std::size_t>(phrases), 0.0);
    int hits = 0;
    int rc = api->inst_count(fts, &hits);
    for (int i = 0; rc == SQLITE_OK && i < hits; ++i) {
        int phrase = 0, column = 0, offset = 0;
        rc = api->inst(fts, i, &phrase, &column, &offset);
        if (rc == SQLITE_OK) freq[static_cast<std::size_t>(phrase)] += column < 4 ? column_weights[column] : 1.0;
    }
    int size = 0;
    if (rc == SQLITE_OK && sqlite3_value_type(args[2]) == SQLITE_NULL) {
        rc = api->column_size(fts, -1, &size);
    } else if (rc == SQLITE_OK) {
        const auto* record = static_cast<const unsigned char*>(sqlite3_value_blob(args[2]));
        size = static_cast<int>(varint_sum(record, record + sqlite3_value_bytes(args[2])));
    }
    if (rc != SQLITE_OK) return sqlite3_result_error_code(ctx, rc);
    const double D = static_cast<double>(size);

    double score = 0.0;
    for (int i = 0; i < phrases; ++i) {
        const sqlite3_int64 matched = sqlite3_value_int64(args[3 + i]);
        double idf = std::log((rows - matched + 0.5) / (matched + 0.5));
        if (idf <= 0.0) idf = 1e-6;
        const double f = freq[static_cast<std::size_t>(i)];
        score += idf * ((f * (k1 + 1.0)) / (f + k1 * (1 - b + b * D / avgdl)));
    }
    sqlite3_result_double(ctx, -1.0 * score);
}

void register_tern_bm25(Database& db) {
    FtsGlobal* fts = nullptr;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db.handle(), "SELECT fts5(?1)", -1, &st, nullptr) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, static_cast<void*>(&fts), "fts5_api_ptr", nullptr);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (!fts) throw Error(ErrorCategory::Internal, {}, "this SQLite has no FTS5 interface");
    const int rc = fts->create_function(fts, "tern_bm25", nullptr, &tern_bm25, nullptr);
    if (rc != SQLITE_OK) db.fail(rc, "registering tern_bm25");
}

void bind_all(Statement& st, int first, const std::vector<std::int64_t>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) st.bind(first + static_cast<int>(i), values[i]);
}

std::int64_t count_of(Statement& count) {
    count.step();
    return count.column_int(0);
}

// True when no other account has folders (the usual profile): the whole index is this account's.
bool only_account(Database& db, std::int64_t account_id) {
    auto st = db.prepare("SELECT NOT EXISTS (SELECT 1 FROM folders WHERE account_id <> ?1)");
    st.bind(1, account_id);
    return count_of(st) != 0;
}

// Matches are ranked in windows of this many, newest first: the first window is the newest
// rank_window matches by bm25, the next the older ones after them, and so on. Every match is on
// exactly one page, and a page costs at most two windows of bm25, however many messages match
// (ranking all 13 000 matches of a common word was most of a first page at 100 000 messages).
constexpr std::size_t rank_window = 2000;

struct Ranked {
    std::int64_t rank = 0, id = 0;
};

// One page of matches by rank, from `window`: a query of (id, rank) newest first with ?3 its
// LIMIT and ?4 its OFFSET, whose other parameters `bind` sets. Equal ranks go newest stored first
// (message ids grow as mail arrives).
template <typename Bind>
std::vector<Ranked> ranked_window_page(Statement& window, const Bind& bind, std::size_t offset, std::size_t limit) {
    std::vector<Ranked> page;
    if (limit == 0) return page;
    const std::size_t first = offset / rank_window, last = (offset + limit - 1) / rank_window;
    for (std::size_t w = first; w <= last; ++w) {
        std::vector<Ranked> ranked;
        window.reset();
        bind(window);
        window.bind(3, static_cast<std::int64_t>(rank_window)).bind(4, static_cast<std::int64_t>(w * rank_window));
        while (window.step()) ranked.push_back({window.column_int(1), window.column_int(0)});
        std::sort(ranked.begin(), ranked.end(),
                  [](const Ranked& a, const Ranked& b) { return a.rank != b.rank ? a.rank < b.rank : a.id > b.id; });
        const std::size_t from = w == first ? offset - w * rank_window : 0;
        for (std::size_t i = from; i < ranked.size() && page.size() < limit; ++i) page.push_back(ranked[i]);
        if (ranked.size() < rank_window) break;  // no older matches
    }
    return page;
}

// The messages and snippets of a page of ranked ids, in its order: `index` (message_index or
// message_header_index) MATCH `match` gives the snippets, one row lookup per id.
std::vector<SearchHit> hits_of(Database& db, const std::vector<Ranked>& ids, const std::string& index,
                               const std::string& match) {
    if (ids.empty()) return {};
    std::string id_list;
    for (const auto& r : ids) id_list += (id_list.empty() ? "" : ",") + std::to_string(r.id);
    auto rows = db.prepare("SELECT " + std::string(store::summary_columns) + ", snippet(" + index + snippet_arguments +
                           " FROM " + index + " JOIN messages m ON m.id = " + index + ".rowid WHERE " + index +
                           " MATCH ?1 AND " + index + ".rowid IN (" + id_list + ")");
    rows.bind(1, match);
    std::unordered_map<std::int64_t, SearchHit> by_id;
    while (rows.step()) {
        SearchHit hit;
        hit.summary = store::read_summary(rows, 0);
        hit.snippet = rows.column_text(store::summary_column_count);
        by_id.emplace(hit.summary.id, std::move(hit));
    }
    std::vector<SearchHit> page;
    page.reserve(ids.size());
    for (const auto& r : ids)
        if (auto it = by_id.find(r.id); it != by_id.end()) {
            it->second.rank = static_cast<double>(r.rank) / 1e6;
            page.push_back(std::move(it->second));
        }
    return page;
}

std::string joined(const std::vector<std::string>& phrases) {
    std::string out;
    for (const auto& p : phrases) out += (out.empty() ? "" : " AND ") + p;
    return out;
}

// message_index's row count and token count (its averages record, as bm25 reads it).
std::pair<std::int64_t, std::int64_t> index_totals(Database& db) {
    auto st = db.prepare("SELECT block FROM message_index_data WHERE id = 1");
    if (!st.step()) return {0, 0};
    const std::string record = st.column_text(0);
    const auto* p = reinterpret_cast<const unsigned char*>(record.data());
    const auto* end = p + record.size();
    std::int64_t rows = 0;
    if (!read_varint(p, end, rows)) return {0, 0};
    return {rows, varint_sum(p, end)};
}

// The rows one phrase matches alone in `index`, and tern_bm25's arguments for the phrases.
std::vector<std::int64_t> phrase_hits(Database& db, const std::string& index, const std::vector<std::string>& phrases) {
    auto count = db.prepare("SELECT count(*) FROM " + index + " WHERE " + index + " MATCH ?1");
    std::vector<std::int64_t> hits;
    for (const auto& phrase : phrases) {
        count.reset();
        count.bind(1, phrase);
        hits.push_back(count_of(count));
    }
    return hits;
}

std::string bm25_call(const std::string& index, std::pair<std::int64_t, std::int64_t> totals, const char* sizes,
                      const std::vector<std::int64_t>& hits) {
    std::string call = "tern_bm25(" + index + ", " + std::to_string(totals.first) + ", " +
                       std::to_string(totals.second) + ", " + sizes;
    for (const auto h : hits) call += ", " + std::to_string(h);
    return call + ")";
}

}  // namespace

SearchPage MessageStore::search(std::int64_t account_id, const SearchQuery& query, std::size_t offset,
                                std::size_t limit) {
    SearchPage page;
    const std::string columns = "SELECT " + std::string(store::summary_columns);
    const auto cap = static_cast<std::int64_t>(search_count_cap);

    // ?1 match, ?2 account, ?3 limit, ?4 offset, ?5 the free words when a header term is there too,
    // ?6.. conditions
    const auto words = compile_search(query, 6);
    const bool index_is_this_accounts =
        !words.match.empty() && words.conditions.empty() && only_account(db_, account_id);
    if (!words.header_phrases.empty()) {
        if (!search_functions_ready_) register_tern_bm25(db_);
        search_functions_ready_ = true;
        const std::string header_index = "message_header_index", word_index = "message_index";
        const auto totals = index_totals(db_);
        const auto header_hits = phrase_hits(db_, header_index, words.header_phrases);
        const auto word_hits = phrase_hits(db_, word_index, words.word_phrases);
        const bool mixed = !words.word_phrases.empty();
        std::string rank = bm25_call(header_index, totals,
                                     "(SELECT sz FROM message_index_docsize WHERE id = message_header_index.rowid)",
                                     header_hits);
        if (mixed) rank = bm25_call(word_index, totals, "NULL", word_hits) + " + " + rank;
        rank = "CAST((" + rank + ") * 1000000 AS INTEGER)";
        // The side with the rarest phrase drives: its matches are looked up in the other index.
        const bool words_first =
            mixed && *std::min_element(word_hits.begin(), word_hits.end()) <
                         *std::min_element(header_hits.begin(), header_hits.end());
        const std::string& outer = words_first ? word_index : header_index;
        const std::string id = outer + ".rowid";
        std::string from = " FROM " + outer;
        if (mixed) {
            const std::string& inner = words_first ? header_index : word_index;
            from += " CROSS JOIN " + inner + " ON " + inner + ".rowid = " + id;
        }
        if (!index_is_this_accounts)
            from += " JOIN messages m ON m.id = " + id + " JOIN folders f ON f.id = m.folder_id";
        from += " WHERE message_header_index MATCH ?1";
        if (mixed) from += " AND message_index MATCH ?5";
        if (!index_is_this_accounts) from += " AND f.account_id = ?2" + words.conditions;
        const auto bind = [&](Statement& st) {
            st.bind(1, joined(words.header_phrases));
            if (mixed) st.bind(5, joined(words.word_phrases));
            if (!index_is_this_accounts) {
                st.bind(2, account_id);
                bind_all(st, 6, words.parameters);
            }
        };

        std::vector<Ranked> ids;
        auto ranked = db_.prepare("SELECT " + id + ", " + rank + from +
                                  (index_is_this_accounts ? " ORDER BY 1 DESC" : " ORDER BY 2, m.id DESC") +
                                  " LIMIT ?3 OFFSET ?4");
        if (index_is_this_accounts) {
            ids = ranked_window_page(ranked, bind, offset, limit);
        } else {
            bind(ranked);
            ranked.bind(3, static_cast<std::int64_t>(limit)).bind(4, static_cast<std::int64_t>(offset));
            while (ranked.step()) ids.push_back({ranked.column_int(1), ranked.column_int(0)});
        }
        // The snippet of a column query is the same in either index (no body hit counts); with
        // free words too, the whole index knows all the hits.
        page.hits = mixed ? hits_of(db_, ids, word_index, words.match)
                          : hits_of(db_, ids, header_index, joined(words.header_phrases));
        auto count = db_.prepare("SELECT count(*) FROM (SELECT 1" + from + " LIMIT ?3)");
        bind(count);
        count.bind(3, cap + 1);
        page.total = count_of(count);
    } else if (!words.match.empty()) {
        if (index_is_this_accounts) {
            // Every row of the index is this account's and nothing else filters: rank inside FTS5
            // alone and join only the page (joining each of thousands of matches to its message
            // and folder before ranking was most of the time of a common word at 100 000).
            auto window = db_.prepare(std::string("SELECT rowid, ") + ranking +
                                      " FROM message_index WHERE message_index MATCH ?1 ORDER BY rowid DESC"
                                      " LIMIT ?3 OFFSET ?4");
            const auto ids = ranked_window_page(
                window, [&](Statement& st) { st.bind(1, words.match); }, offset, limit);
            page.hits = hits_of(db_, ids, "message_index", words.match);
            auto count = db_.prepare(
                "SELECT count(*) FROM (SELECT 1 FROM message_index WHERE message_index MATCH ?1 LIMIT ?2)");
            count.bind(1, words.match).bind(2, cap + 1);
            page.total = count_of(count);
        } else {
            const std::string from = " FROM message_index JOIN messages m ON m.id = message_index.rowid"
                                     " JOIN folders f ON f.id = m.folder_id"
                                     " WHERE message_index MATCH ?1 AND f.account_id = ?2" + words.conditions;
            auto st = db_.prepare(columns + ", " + ranking + ", snippet(message_index" + snippet_arguments + from +
                                  " ORDER BY 11, m.id DESC LIMIT ?3 OFFSET ?4");
            st.bind(1, words.match).bind(2, account_id).bind(3, static_cast<std::int64_t>(limit));
            st.bind(4, static_cast<std::int64_t>(offset));
            bind_all(st, 6, words.parameters);
            while (st.step()) {
                SearchHit hit;
                hit.summary = store::read_summary(st, 0);
                hit.rank = static_cast<double>(st.column_int(store::summary_column_count)) / 1e6;
                hit.snippet = st.column_text(store::summary_column_count + 1);
                page.hits.push_back(std::move(hit));
            }
            auto count = db_.prepare("SELECT count(*) FROM (SELECT 1" + from + " LIMIT ?3)");
            count.bind(1, words.match).bind(2, account_id).bind(3, cap + 1);
            bind_all(count, 6, words.parameters);
            page.total = count_of(count);
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
        page.total = count_of(count);
    }
    page.total_is_capped = page.total > cap;
    if (page.total_is_capped) page.total = cap;
    return page;
}

}  // namespace tern::mail
