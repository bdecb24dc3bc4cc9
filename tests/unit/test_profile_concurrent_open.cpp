// The desktop app's workers open the same profile at the same moment, each on its own thread
// (the devices pane's first read and first device job, for one). The first connections after the
// last one closed rebuild the write-ahead log's index; a connection opened meanwhile must wait
// for that, not fail as "damaged" or "busy".
#include "temp_dir.hpp"
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace tern;
using tern::test::TempDir;

TEST_CASE("threads opening a closed profile at the same moment all open it", "[profile]") {
    TempDir tmp;
    Profile::open(tmp.path());  // made, then closed: the next openers start from no log index
    std::vector<std::string> failures;
    std::mutex failures_mutex;
    for (int round = 0; round < 40; ++round) {
        std::atomic<int> ready{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 6; ++i)
            threads.emplace_back([&] {
                ++ready;
                while (ready.load() < 6) {
                }
                try {
                    auto profile = Profile::open(tmp.path());
                    profile.db().query_int("SELECT count(*) FROM settings");
                } catch (const Error& e) {
                    std::lock_guard lock(failures_mutex);
                    failures.push_back(e.log_line());
                }
            });
        for (auto& thread : threads) thread.join();
    }
    INFO((failures.empty() ? std::string() : failures.front()));
    CHECK(failures.empty());
}
