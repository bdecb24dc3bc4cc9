#include "fake_http_client.hpp"
#include "tern/auth/device_code_flow.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::auth;
using namespace std::chrono_literals;

namespace {

struct Fixture {
    test::FakeHttpClient http;
    Clock::time_point now = Clock::now();
    TokenEndpoint endpoint{http,
                           OAuthConfig{"", "https://idp.test/t/token", "https://idp.test/t/devicecode", "client-1",
                                       "organizations", {"smtp", "offline_access"}, ""},
                           "printer@example.test", [this] { return now; }};
    DeviceAuthorization authorization() {
        DeviceAuthorization a;
        a.device_code = Secret(std::string("device-code-1"));
        a.user_code = "FH7KQ2ZJM";
        a.verification_uri = "https://idp.test/devicelogin";
        a.expires_at = now + 15min;
        a.interval = 0s;  // no real waiting in unit tests
        return a;
    }
};

const char* pending = R"({"error":"authorization_pending","error_description":"AADSTS70016: pending"})";

ErrorCategory failure_of(Fixture& f, const CancelToken& cancel = CancelToken()) {
    try {
        wait_for_device_grant(f.endpoint, f.authorization(), cancel);
    } catch (const Error& e) {
        return e.category();
    }
    FAIL("no error");
    return ErrorCategory::Internal;
}

}  // namespace

TEST_CASE("the device code request is parsed, with Microsoft's message", "[device]") {
    Fixture f;
    f.http.answer(200, R"({"device_code":"dc","user_code":"ABCDEFGHJ","verification_uri":"https://idp.test/devicelogin",
        "expires_in":900,"interval":5,"message":"To sign in, use a web browser to open the page https://idp.test/devicelogin and enter the code ABCDEFGHJ to authenticate."})");
    const auto a = f.endpoint.request_device_code(nullptr);
    CHECK(a.user_code == "ABCDEFGHJ");
    CHECK(a.interval == 5s);
    CHECK(a.expires_at - f.now == 900s);
    CHECK(a.message.find("ABCDEFGHJ") != std::string::npos);
    CHECK(f.http.requests()[0].body.find("scope=smtp%20offline_access") != std::string::npos);
}

TEST_CASE("pending polls continue until the grant arrives", "[device]") {
    Fixture f;
    f.http.answer(400, pending);
    f.http.answer(400, pending);
    f.http.answer(200, R"({"token_type":"Bearer","expires_in":3600,"access_token":"at","refresh_token":"rt"})");
    int reports = 0;
    auto grant = wait_for_device_grant(f.endpoint, f.authorization(), CancelToken(),
                                       [&](const DeviceFlowProgress&) { ++reports; });
    CHECK(grant.access_token.reveal() == "at");
    CHECK(reports == 3);
    const auto requests = f.http.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].body.find("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code") != std::string::npos);
    CHECK(requests[0].body.find("device_code=device-code-1") != std::string::npos);
}

TEST_CASE("slow_down adds five seconds to the interval", "[device]") {
    Fixture f;
    f.http.answer(400, R"({"error":"slow_down"})");
    CancelToken cancel;
    std::vector<std::chrono::seconds> intervals;
    // Stop at the second report instead of sleeping five real seconds.
    auto report = [&](const DeviceFlowProgress& p) {
        intervals.push_back(p.interval);
        if (intervals.size() == 2) cancel.cancel();
    };
    CHECK_THROWS_AS(wait_for_device_grant(f.endpoint, f.authorization(), cancel, report), Error);
    CHECK(intervals == std::vector<std::chrono::seconds>{0s, 5s});
}

TEST_CASE("declined, expired and cancelled flows end with their category", "[device]") {
    {
        Fixture f;
        f.http.answer(400, R"({"error":"authorization_declined"})");
        CHECK(failure_of(f) == ErrorCategory::Cancelled);
    }
    {
        Fixture f;
        f.http.answer(400, R"({"error":"expired_token"})");
        CHECK(failure_of(f) == ErrorCategory::Timeout);
    }
    {
        Fixture f;
        f.http.answer(400, R"({"error":"invalid_client","error_codes":[700016]})");
        CHECK(failure_of(f) == ErrorCategory::AppRejected);
    }
    {
        Fixture f;
        CancelToken cancel;
        cancel.cancel();
        CHECK(failure_of(f, cancel) == ErrorCategory::Cancelled);
        CHECK(f.http.requests().empty());
    }
}

TEST_CASE("the flow stops by itself when the code expires locally", "[device]") {
    Fixture f;
    auto a = f.authorization();
    a.expires_at = f.now;  // already expired: no poll
    try {
        wait_for_device_grant(f.endpoint, a, CancelToken());
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::Timeout);
    }
    CHECK(f.http.requests().empty());
}
