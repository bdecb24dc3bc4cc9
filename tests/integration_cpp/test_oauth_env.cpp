// auth/ against the fake Microsoft identity platform of tests/env: device code sign-in, refresh
// with rotation, every entry of the token error table, and a broken platform (TLS, down, silent).
#include "env_file.hpp"
#include "tern/accounts/provider_catalog.hpp"
#include "tern/auth/device_code_flow.hpp"
#include "tern/auth/memory_credential_store.hpp"
#include "tern/auth/token_manager.hpp"

using namespace tern;
using namespace tern::auth;
using namespace std::chrono_literals;

namespace {

struct Platform {
    test::TestEnvironment env;
    std::string user = env.get("OAUTH_USER1");  // a work account: tenant organizations
    OAuthConfig config = env.oauth_config("organizations");
    TokenEndpoint endpoint{env.http(), config, user};

    Platform() {
        env.admin("/admin/reset", "{}");
        env.admin("/admin/device/settings", R"({"interval": 1})");
    }
    ~Platform() {
        // Leave the shared platform as the next test expects it, whatever happened here.
        try {
            env.admin("/admin/tls", R"({"cert": "good"})");
            env.admin("/admin/mode", R"({"mode": "normal"})");
            env.admin("/admin/reset", "{}");
        } catch (...) {
        }
    }

    TokenGrant sign_in_by_device_code() {
        const auto authorization = endpoint.request_device_code(nullptr);
        CHECK(authorization.message.find(authorization.user_code) != std::string::npos);
        env.admin("/admin/device/approve", R"({"user_code": ")" + authorization.user_code + R"(", "user": ")" + user + "\"}");
        return wait_for_device_grant(endpoint, authorization, CancelToken());
    }

    ErrorCategory refresh_failure(const Secret& refresh_token) {
        try {
            endpoint.refresh(refresh_token, nullptr);
        } catch (const Error& e) {
            last_message = e.message();
            return e.category();
        }
        FAIL("the refresh succeeded");
        return ErrorCategory::Internal;
    }
    std::string last_message;
};

}  // namespace

TEST_CASE("device code sign-in, then refresh with rotation: the old refresh token dies", "[oauth-env]") {
    Platform p;
    auto grant = p.sign_in_by_device_code();
    REQUIRE(grant.refresh_token);
    const Secret first_refresh = *grant.refresh_token;

    MemoryCredentialStore store;
    TokenManager tokens(p.endpoint, store, {"profile", p.user, "refresh-token"});
    const Secret first_access = grant.access_token;
    tokens.adopt(std::move(grant));
    const auto second_access = tokens.refresh_after_rejection(first_access);
    CHECK(second_access != first_access);
    const auto stored = store.load({"profile", p.user, "refresh-token"});
    REQUIRE(stored);
    CHECK(*stored != first_refresh);  // rotated, and the newest is in the store
    CHECK(p.refresh_failure(first_refresh) == ErrorCategory::TokenRevoked);
}

TEST_CASE("declined, expired and slowed-down device codes", "[oauth-env]") {
    Platform p;
    {
        const auto a = p.endpoint.request_device_code(nullptr);
        p.env.admin("/admin/device/decline", R"({"user_code": ")" + a.user_code + "\"}");
        CHECK_THROWS_MATCHES(wait_for_device_grant(p.endpoint, a, CancelToken()), Error,
                             Catch::Predicate<Error>([](const Error& e) { return e.category() == ErrorCategory::Cancelled; }));
    }
    {
        const auto a = p.endpoint.request_device_code(nullptr);
        p.env.admin("/admin/device/expire", R"({"user_code": ")" + a.user_code + "\"}");
        CHECK_THROWS_MATCHES(wait_for_device_grant(p.endpoint, a, CancelToken()), Error,
                             Catch::Predicate<Error>([](const Error& e) { return e.category() == ErrorCategory::Timeout; }));
    }
    {
        const auto a = p.endpoint.request_device_code(nullptr);
        p.env.admin("/admin/slow-down", R"({"count": 1})");
        std::vector<std::chrono::seconds> intervals;
        int polls = 0;
        auto report = [&](const DeviceFlowProgress& progress) {
            intervals.push_back(progress.interval);
            if (++polls == 2)  // approve once the slowed-down interval is in force
                p.env.admin("/admin/device/approve", R"({"user_code": ")" + a.user_code + R"(", "user": ")" + p.user + "\"}");
        };
        auto grant = wait_for_device_grant(p.endpoint, a, CancelToken(), report);
        CHECK_FALSE(grant.access_token.empty());
        REQUIRE(intervals.size() >= 2);
        CHECK(intervals[0] == 1s);
        CHECK(intervals[1] == 6s);
    }
}

TEST_CASE("every entry of the token error table, answered by the platform, is classified as the table says",
          "[oauth-env][classification]") {
    Platform p;
    auto grant = p.sign_in_by_device_code();
    REQUIRE(grant.refresh_token);
    for (const auto& rule : token_error_table()) {
        const std::string error = rule.error[0] ? rule.error : "invalid_grant";
        const long status = error == "invalid_client" ? 401 : (error == "server_error" || error == "temporarily_unavailable") ? 503 : 400;
        std::string request = R"({"count": 1, "error": ")" + error + R"(", "status": )" + std::to_string(status);
        if (rule.aadsts) request += R"(, "aadsts": )" + std::to_string(rule.aadsts);
        request += "}";
        p.env.admin("/admin/fail-next", request);
        INFO(request);
        CHECK(p.refresh_failure(*grant.refresh_token) == rule.category);
        CHECK(p.last_message.find('{') == std::string::npos);
    }
    // The refresh token still works once the injected failures are used up.
    CHECK_FALSE(p.endpoint.refresh(*grant.refresh_token, nullptr).access_token.empty());
}

TEST_CASE("a broken identity platform gives the categories the fallback policy acts on", "[oauth-env][tls]") {
    Platform p;
    auto grant = p.sign_in_by_device_code();
    REQUIRE(grant.refresh_token);

    p.env.admin("/admin/tls", R"({"cert": "unknown-ca"})");
    CHECK(p.refresh_failure(*grant.refresh_token) == ErrorCategory::TlsCertificate);
    p.env.admin("/admin/tls", R"({"cert": "expired"})");
    CHECK(p.refresh_failure(*grant.refresh_token) == ErrorCategory::TlsCertificate);
    CHECK(p.last_message.find("expired") != std::string::npos);
    p.env.admin("/admin/tls", R"({"cert": "good"})");

    p.env.admin("/admin/mode", R"({"mode": "down"})");
    CHECK(p.refresh_failure(*grant.refresh_token) == ErrorCategory::Network);
    p.env.admin("/admin/mode", R"({"mode": "hang"})");
    p.endpoint.set_request_timeout(1500ms);
    const auto start = std::chrono::steady_clock::now();
    CHECK(p.refresh_failure(*grant.refresh_token) == ErrorCategory::Timeout);
    CHECK(std::chrono::steady_clock::now() - start < 10s);
    p.env.admin("/admin/mode", R"({"mode": "normal"})");
    p.endpoint.set_request_timeout(30s);
    CHECK_FALSE(p.endpoint.refresh(*grant.refresh_token, nullptr).access_token.empty());
}

TEST_CASE("the environment's providers.json points Tern's catalog at the fake platform and its servers", "[oauth-env][providers]") {
    test::TestEnvironment env;
    const auto catalog = accounts::ProviderCatalog::load(env.get("TERN_PROVIDERS"));
    const auto* microsoft = catalog.for_email(env.get("OAUTH_USER1"));
    REQUIRE(microsoft);
    REQUIRE(microsoft->oauth);
    const auto config = microsoft->oauth->config_for({mail::MailProtocol::Imap}, "organizations");
    CHECK(config.token_url == env.get("IDP_URL") + "/organizations/oauth2/v2.0/token");
    CHECK(config.client_id == env.get("IDP_CLIENT_ID"));
    CHECK(microsoft->servers.at(mail::MailProtocol::Imap).port == std::stoi(env.get("IMAPS_PORT")));
    CHECK(microsoft->fallback_servers.at(mail::MailProtocol::Smtp).port == std::stoi(env.get("FALLBACK_SUBMISSION_PORT")));
    // A device code sign-in with the catalog's settings works against the platform.
    TokenEndpoint endpoint(env.http(), config, env.get("OAUTH_USER1"));
    env.admin("/admin/reset", "{}");
    env.admin("/admin/device/settings", R"({"interval": 1})");
    const auto a = endpoint.request_device_code(nullptr);
    env.admin("/admin/device/approve", R"({"user_code": ")" + a.user_code + R"(", "user": ")" + env.get("OAUTH_USER1") + "\"}");
    CHECK_FALSE(wait_for_device_grant(endpoint, a, CancelToken()).access_token.empty());
    env.admin("/admin/reset", "{}");
}
