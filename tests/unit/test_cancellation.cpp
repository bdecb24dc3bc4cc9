#include "tern/core/cancellation.hpp"
#include "tern/core/error.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace std::chrono_literals;

TEST_CASE("a wait ends early when cancelled from another thread", "[cancel]") {
    tern::CancelToken token;
    CHECK(token.wait_for(1ms));  // not cancelled: the full wait, true
    std::thread canceller([&] { std::this_thread::sleep_for(20ms); token.cancel(); });
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(token.wait_for(10s));
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    canceller.join();
    CHECK(token.cancelled());
    CHECK_FALSE(token.wait_for(10s));  // already cancelled: returns at once
    try {
        token.throw_if_cancelled();
        FAIL("did not throw");
    } catch (const tern::Error& e) {
        CHECK(e.category() == tern::ErrorCategory::Cancelled);
    }
}
