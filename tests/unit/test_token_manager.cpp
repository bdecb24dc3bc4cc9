#include "fake_http_client.hpp"
#include "tern/auth/memory_credential_store.hpp"
#include "tern/auth/token_manager.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace tern;
using namespace tern::auth;
using namespace std::chrono_literals;

namespace {

struct Fixture {
    test::FakeHttpClient http;
    MemoryCredentialStore store;
    Clock::time_point now = Clock::now();
    TokenEndpoint endpoint{http,
                           OAuthConfig{"https://idp.test/t/authorize", "https://idp.test/t/token", "https://idp.test/t/devicecode",
                                       "client-1", "organizations", {"imap", "offline_access"}, "https://idp.test/consent"},
                           "carol@example.test", [this] { return now; }};
    CredentialKey key{"profile-1", "carol@example.test", "refresh-token"};
    TokenManager tokens{endpoint, store, key};

    static std::string grant(const std::string& access, const std::string& refresh, int expires_in = 3600) {
        return R"({"token_type":"Bearer","expires_in":)" + std::to_string(expires_in) + R"(,"access_token":")" + access +
               R"(","refresh_token":")" + refresh + R"("})";
    }
    std::string stored() { return std::string(store.load(key)->reveal()); }
};

}  // namespace

TEST_CASE("a sign-in stores the refresh token and keeps the access token in memory", "[tokens]") {
    Fixture f;
    f.tokens.adopt({Secret(std::string("at-1")), Secret(std::string("rt-1")), f.now + 1h, ""});
    CHECK(f.stored() == "rt-1");
    CHECK(f.tokens.access_token().reveal() == "at-1");
    CHECK(f.http.requests().empty());
}

TEST_CASE("the access token is refreshed ten minutes before it expires, and the refresh token rotates", "[tokens]") {
    Fixture f;
    f.tokens.adopt({Secret(std::string("at-1")), Secret(std::string("rt-1")), f.now + 1h, ""});
    f.now += 49min;  // 11 minutes left: still good
    CHECK(f.tokens.access_token().reveal() == "at-1");
    f.now += 2min;  // 9 minutes left: refresh
    f.http.answer(200, Fixture::grant("at-2", "rt-2"));
    CHECK(f.tokens.access_token().reveal() == "at-2");
    CHECK(f.stored() == "rt-2");
    const auto requests = f.http.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].body.find("grant_type=refresh_token") != std::string::npos);
    CHECK(requests[0].body.find("refresh_token=rt-1") != std::string::npos);
}

TEST_CASE("many connections asking at once cause one refresh", "[tokens]") {
    Fixture f;
    f.store.store(f.key, Secret(std::string("rt-1")));
    f.http.set_delay(100ms);
    f.http.answer(200, Fixture::grant("at-shared", "rt-2"));
    std::vector<std::thread> connections;
    std::atomic<int> got_shared{0};
    for (int i = 0; i < 8; ++i)
        connections.emplace_back([&] {
            if (f.tokens.access_token().reveal() == "at-shared") ++got_shared;
        });
    for (auto& c : connections) c.join();
    CHECK(got_shared == 8);
    CHECK(f.http.requests().size() == 1);
}

TEST_CASE("a failed refresh reaches every waiter with its classification", "[tokens]") {
    Fixture f;
    f.store.store(f.key, Secret(std::string("rt-1")));
    f.http.answer(400, R"({"error":"invalid_grant","error_description":"AADSTS50173: revoked","error_codes":[50173]})");
    try {
        f.tokens.access_token();
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::TokenRevoked);
        CHECK(e.message().find("carol@example.test") != std::string::npos);
    }
    CHECK(f.stored() == "rt-1");  // nothing replaced the stored token
}

TEST_CASE("without a stored refresh token the person is asked to sign in", "[tokens]") {
    Fixture f;
    try {
        f.tokens.access_token();
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::TokenExpired);
    }
    CHECK(f.http.requests().empty());
}

TEST_CASE("a refused token is refreshed once, and a refused fresh token is auth-rejected", "[tokens]") {
    Fixture f;
    f.tokens.adopt({Secret(std::string("at-1")), Secret(std::string("rt-1")), f.now + 1h, ""});
    f.http.answer(200, Fixture::grant("at-2", "rt-2"));
    std::vector<std::string> tried;
    const auto result = f.tokens.with_token([&](const Secret& token) {
        tried.emplace_back(token.reveal());
        if (token.reveal() == "at-1") throw Error(ErrorCategory::AuthRejected, "refused");
        return std::string("signed in");
    });
    CHECK(result == "signed in");
    CHECK(tried == std::vector<std::string>{"at-1", "at-2"});

    f.http.answer(200, Fixture::grant("at-3", "rt-3"));
    int attempts = 0;
    try {
        f.tokens.with_token([&](const Secret&) -> int {
            ++attempts;
            throw Error(ErrorCategory::AuthRejected, "refused", "535 5.7.3", {"AUTH XOAUTH2", "535 5.7.3 Authentication unsuccessful", "535"});
        });
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::AuthRejected);
        CHECK(e.message().find("just issued") != std::string::npos);
        CHECK(e.context().status == "535");
    }
    CHECK(attempts == 2);
    CHECK(f.http.requests().size() == 2);
}

TEST_CASE("a token another connection already replaced is not refreshed again", "[tokens]") {
    Fixture f;
    f.tokens.adopt({Secret(std::string("at-1")), Secret(std::string("rt-1")), f.now + 1h, ""});
    f.http.answer(200, Fixture::grant("at-2", "rt-2"));
    CHECK(f.tokens.refresh_after_rejection(Secret(std::string("at-1"))).reveal() == "at-2");
    CHECK(f.tokens.refresh_after_rejection(Secret(std::string("at-1"))).reveal() == "at-2");
    CHECK(f.http.requests().size() == 1);
}
