// The device manuals' token states (DESIGN §5) through DeviceSignIn against a scripted platform:
// Get token -> Waiting for authorization -> Acquired / Not acquired / Invalid, and Delete token.
#include "device_fixture.hpp"

#include "tern/accounts/device_guidance.hpp"
#include "tern/accounts/device_sign_in.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::accounts;
using tern::test::device_code_answer;
using tern::test::DeviceFixture;
using tern::test::grant_answer;
using tern::test::token_error;

namespace {

const char* pending = R"({"error":"authorization_pending","error_description":"AADSTS70016: pending"})";

// Runs a sign-in whose poll gets `answer`; returns the error it threw.
Error failed_sign_in(DeviceFixture& f, long status, const std::string& answer) {
    f.http.answer(200, device_code_answer);
    f.http.answer(status, answer);
    DeviceSignIn sign_in(f.services(), f.relayed);
    sign_in.get_token();
    try {
        sign_in.wait(CancelToken());
    } catch (const Error& e) {
        CHECK_FALSE(f.refresh_token(f.relayed.name));
        return e;
    }
    FAIL("the sign-in did not fail");
    return Error(ErrorCategory::Internal, {});
}

}  // namespace

TEST_CASE("a device's mailbox signs in where its domain belongs, for SMTP.Send with offline_access", "[device-sign-in]") {
    DeviceFixture f;
    const auto target = device_sign_in_target(f.catalog, "scanner@contoso.example");
    CHECK(target.provider->id == "microsoft365");
    CHECK(target.oauth.scopes == std::vector<std::string>{"https://outlook.office.com/SMTP.Send", "offline_access"});
    CHECK(target.oauth.token_url == "https://idp.test/organizations/token");
    CHECK(target.smtp.port == 587);
    // A work domain nobody lists is an Exchange Online tenant.
    CHECK(device_sign_in_target(f.catalog, "mfp@fabrikam.example").provider->id == "microsoft365");
    const auto none = ProviderCatalog::parse(R"({"format": 1, "providers": []})", "empty");
    CHECK_THROWS_AS(device_sign_in_target(none, "mfp@fabrikam.example"), Error);
}

TEST_CASE("Get token waits for authorization, the person signs in, the device is Acquired", "[device-sign-in]") {
    DeviceFixture f;
    f.acquired(f.relayed, "old-refresh", f.now - 100);  // a sign-in the new one replaces
    f.http.answer(200, device_code_answer);
    f.http.answer(400, pending);
    f.http.answer(200, grant_answer("at-1", "rt-1"));
    DeviceSignIn sign_in(f.services(), f.relayed);
    const auto& code = sign_in.get_token();
    CHECK(code.user_code == "FH7KQ2ZJM");
    CHECK(code.verification_uri == "https://idp.test/devicelogin");
    CHECK(f.device(f.relayed.name).token_state == TokenState::WaitingForAuthorization);
    CHECK_FALSE(f.refresh_token(f.relayed.name));  // Get token dropped the old one
    CHECK(f.http.requests()[0].body.find("offline_access") != std::string::npos);

    f.now += 30;
    const auto d = sign_in.wait(CancelToken());
    CHECK(d.token_state == TokenState::Acquired);
    CHECK(d.last_refresh == f.now);
    CHECK_FALSE(d.token_reason);
    CHECK_FALSE(d.last_error);
    REQUIRE(f.refresh_token(f.relayed.name));
    CHECK(f.refresh_token(f.relayed.name)->reveal() == "rt-1");
}

TEST_CASE("declined, expired and cancelled sign-ins go back to Not acquired with the reason", "[device-sign-in]") {
    DeviceFixture f;
    SECTION("declined") {
        const auto e = failed_sign_in(f, 400, token_error("authorization_declined", 65004));
        CHECK(e.category() == ErrorCategory::Cancelled);
        const auto d = f.device(f.relayed.name);
        CHECK(d.token_state == TokenState::NotAcquired);
        REQUIRE(d.token_reason);
        CHECK(d.token_reason->find("declined") != std::string::npos);
    }
    SECTION("the code expired") {
        failed_sign_in(f, 400, token_error("expired_token", 70019));
        const auto d = f.device(f.relayed.name);
        CHECK(d.token_state == TokenState::NotAcquired);
        CHECK(d.token_reason->find("expired") != std::string::npos);
    }
    SECTION("cancelled by the person") {
        f.http.answer(200, device_code_answer);
        DeviceSignIn sign_in(f.services(), f.relayed);
        sign_in.get_token();
        CancelToken cancel;
        cancel.cancel();
        CHECK_THROWS_AS(sign_in.wait(cancel), Error);
        CHECK(f.device(f.relayed.name).token_state == TokenState::NotAcquired);
    }
    SECTION("the platform is failing") {
        failed_sign_in(f, 503, token_error("temporarily_unavailable", 0));
        CHECK(f.device(f.relayed.name).token_state == TokenState::NotAcquired);
    }
}

TEST_CASE("an account that cannot sign in makes the device Invalid with the reason and the code", "[device-sign-in]") {
    DeviceFixture f;
    struct Case {
        const char* error;
        long aadsts;
        const char* words;
    };
    const auto c = GENERATE(Case{"invalid_grant", 65001, "administrator must approve"},
                            Case{"invalid_grant", 90072, "not in the organisation"},
                            Case{"invalid_grant", 53003, "Conditional Access"});
    failed_sign_in(f, 400, token_error(c.error, c.aadsts));
    const auto d = f.device(f.relayed.name);
    CHECK(d.token_state == TokenState::Invalid);
    REQUIRE(d.token_reason);
    CHECK(d.token_reason->find(c.words) != std::string::npos);
    REQUIRE(d.last_error);
    const auto advice = advice_for(*d.last_error);
    REQUIRE(advice);
    CHECK(advice->code == "AADSTS" + std::to_string(c.aadsts));
}

TEST_CASE("a failure to get a code is recorded, and an outage keeps the token the device has", "[device-sign-in]") {
    DeviceFixture f;
    f.acquired(f.relayed, "rt-working", f.now - 100);
    SECTION("the platform is failing") {
        f.http.answer(503, token_error("temporarily_unavailable", 0));
        DeviceSignIn sign_in(f.services(), f.relayed);
        CHECK_THROWS_AS(sign_in.get_token(), Error);
        const auto d = f.device(f.relayed.name);
        CHECK(d.token_state == TokenState::Acquired);
        REQUIRE(d.last_error);
        CHECK(d.last_error->find("temporarily unavailable") != std::string::npos);
        CHECK(f.refresh_token(f.relayed.name)->reveal() == "rt-working");
    }
    SECTION("the app is refused") {
        f.http.answer(400, token_error("unauthorized_client", 700016));
        DeviceSignIn sign_in(f.services(), f.relayed);
        CHECK_THROWS_AS(sign_in.get_token(), Error);
        CHECK(f.device(f.relayed.name).token_state == TokenState::Invalid);
    }
}

TEST_CASE("a device that signs in itself is not signed in by Tern", "[device-sign-in]") {
    DeviceFixture f;
    try {
        DeviceSignIn sign_in(f.services(), f.self);
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::BadInput);
        CHECK(e.message().find("device test") != std::string::npos);
    }
}

TEST_CASE("Delete token removes the refresh token and goes back to Not acquired", "[device-sign-in]") {
    DeviceFixture f;
    f.acquired(f.relayed, "rt-1", f.now);
    delete_device_token(f.devices, f.secrets, f.profile.id(), f.relayed);
    CHECK(f.device(f.relayed.name).token_state == TokenState::NotAcquired);
    CHECK_FALSE(f.refresh_token(f.relayed.name));
}
