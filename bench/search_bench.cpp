// First-page search latency over a profile that a sync filled (tern_bench_sync): what a person
// waits for between pressing Enter in the search box and seeing the first page of hits.
//
//   tern_bench_search --profile DIR [--limit 50] [--repeat 50] [--warmup 3] NAME=QUERY...
//
// Each QUERY is in the search box language (tern/mail/search_query.hpp). The queries run in
// rounds (one of each per round, in the order given), `--warmup` rounds untimed, then `--repeat`
// timed rounds; each timing covers parse + MessageStore::search (the page of `--limit` hits with
// snippets, plus the capped total count) on one open profile. Prints one JSON object on stdout:
// per query p50/p95/min/max/mean in milliseconds, the hits on the first page and the total.
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/search_query.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Query {
    std::string name, text;
    tern::mail::SearchPage last;
    std::vector<double> ms;
};

// Nearest-rank percentile of sorted samples.
double percentile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

int usage_error(const std::string& what) {
    std::cerr << "tern_bench_search: " << what
              << "\nusage: tern_bench_search --profile DIR [--limit 50] [--repeat 50] [--warmup 3] NAME=QUERY...\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path home;
    std::size_t limit = 50;
    int repeat = 50, warmup = 3;
    std::vector<Query> queries;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("--", 0) == 0) {
            if (i + 1 >= argc) return usage_error(arg + " needs a value");
            const std::string value = argv[++i];
            if (arg == "--profile") home = value;
            else if (arg == "--limit") limit = static_cast<std::size_t>(std::stoul(value));
            else if (arg == "--repeat") repeat = std::stoi(value);
            else if (arg == "--warmup") warmup = std::stoi(value);
            else return usage_error("unknown option " + arg);
        } else {
            const auto eq = arg.find('=');
            if (eq == std::string::npos || eq == 0) return usage_error("a query is NAME=QUERY, not " + arg);
            queries.push_back({arg.substr(0, eq), arg.substr(eq + 1), {}, {}});
        }
    }
    if (home.empty() || queries.empty() || repeat < 1 || warmup < 0)
        return usage_error("--profile, a positive --repeat and at least one query are needed");
    if (!std::filesystem::exists(home / "tern.db")) return usage_error("no profile in " + home.string());

    try {
        spdlog::set_level(spdlog::level::warn);  // stdout carries the JSON result only
        const auto opened = Clock::now();
        auto profile = tern::Profile::open(home);
        tern::mail::MessageStore store(profile.db());
        const auto account_id = profile.db().query_int("SELECT min(id) FROM accounts");
        const auto messages = profile.db().query_int("SELECT count(*) FROM messages");
        const double open_ms = std::chrono::duration<double, std::milli>(Clock::now() - opened).count();

        for (int round = 0; round < warmup + repeat; ++round) {
            for (auto& q : queries) {
                const auto began = Clock::now();
                q.last = store.search(account_id, tern::mail::parse_search_query(q.text), 0, limit);
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
                if (round >= warmup) q.ms.push_back(ms);
            }
        }

        auto results = nlohmann::json::array();
        for (auto& q : queries) {
            std::sort(q.ms.begin(), q.ms.end());
            results.push_back({
                {"name", q.name},
                {"query", q.text},
                {"runs", q.ms.size()},
                {"p50_ms", percentile(q.ms, 0.50)},
                {"p95_ms", percentile(q.ms, 0.95)},
                {"min_ms", q.ms.front()},
                {"max_ms", q.ms.back()},
                {"mean_ms", std::accumulate(q.ms.begin(), q.ms.end(), 0.0) / static_cast<double>(q.ms.size())},
                {"page_hits", q.last.hits.size()},
                {"total", q.last.total},
                {"total_is_capped", q.last.total_is_capped},
            });
        }
        rusage self{};
        getrusage(RUSAGE_SELF, &self);
        std::cout << nlohmann::json{{"tool", "tern"},
                                    {"messages", messages},
                                    {"limit", limit},
                                    {"open_ms", open_ms},
                                    {"peak_rss_kib", self.ru_maxrss},
                                    {"queries", results}}
                         .dump()
                  << std::endl;
        return 0;
    } catch (const tern::Error& e) {
        std::cerr << "tern_bench_search: " << e.log_line() << '\n';
    } catch (const std::exception& e) {
        std::cerr << "tern_bench_search: " << e.what() << '\n';
    }
    return 1;
}
