#include "temp_dir.hpp"
#include "tern/accounts/account_access.hpp"
#include "tern/accounts/fallback_policy.hpp"
#include "tern/core/profile.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace tern;
using namespace tern::accounts;

namespace {

constexpr ErrorCategory all_categories[] = {
    ErrorCategory::Network,        ErrorCategory::TlsCertificate, ErrorCategory::TlsHandshake,
    ErrorCategory::Timeout,        ErrorCategory::AuthRejected,   ErrorCategory::TokenExpired,
    ErrorCategory::TokenRevoked,   ErrorCategory::ConsentRequired, ErrorCategory::AppRejected,
    ErrorCategory::PolicyBlocked,  ErrorCategory::ServerError,    ErrorCategory::Protocol,
    ErrorCategory::BadInput,       ErrorCategory::Storage,        ErrorCategory::Cancelled,
    ErrorCategory::NotFound,       ErrorCategory::Unsupported,    ErrorCategory::Internal,
};

Error error_of(ErrorCategory c) { return Error(c, "the words for " + std::string(to_string(c))); }

}  // namespace

TEST_CASE("identity platform failures: exactly the triggers of DESIGN §4 switch to the password servers",
          "[fallback]") {
    const FallbackPolicy policy;  // three transient failures in a row
    const std::set<ErrorCategory> at_once{ErrorCategory::TlsCertificate, ErrorCategory::TlsHandshake,
                                          ErrorCategory::AppRejected};
    const std::set<ErrorCategory> when_repeated{ErrorCategory::Network, ErrorCategory::Timeout,
                                                ErrorCategory::ServerError, ErrorCategory::Protocol};
    for (const auto c : all_categories) {
        INFO(to_string(c));
        FallbackState state;
        auto d = policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(c), false, 100);
        if (at_once.count(c)) {
            CHECK(d.action == PolicyAction::SwitchToFallback);
            CHECK(state.mode == AccountMode::PasswordFallback);
            CHECK(state.since == 100);
            CHECK_FALSE(d.reason.empty());
            continue;
        }
        d = policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(c), false, 101);
        d = policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(c), false, 102);
        if (when_repeated.count(c)) {
            CHECK(d.action == PolicyAction::SwitchToFallback);
            CHECK(state.mode == AccountMode::PasswordFallback);
            CHECK(d.reason.find("3 attempts") != std::string::npos);
        } else {
            CHECK(d.action != PolicyAction::SwitchToFallback);
            CHECK(state.mode == AccountMode::OAuth);
            CHECK_FALSE(state.reason);
        }
    }
}

TEST_CASE("non-triggers give the person the error's own guidance and keep OAuth", "[fallback]") {
    const FallbackPolicy policy;
    for (const auto c : {ErrorCategory::ConsentRequired, ErrorCategory::PolicyBlocked, ErrorCategory::BadInput,
                         ErrorCategory::TokenExpired, ErrorCategory::TokenRevoked}) {
        INFO(to_string(c));
        FallbackState state;
        const auto d = policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(c), false, 1);
        CHECK(d.action == PolicyAction::Guidance);
        CHECK(d.message == error_of(c).message());
    }
    FallbackState state;
    CHECK(policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(ErrorCategory::Cancelled), false, 1)
              .action == PolicyAction::None);
    // Sign in again: device code is offered for expired or revoked grants.
    CHECK(policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(ErrorCategory::TokenExpired), false, 1)
              .offer_device_code);
}

TEST_CASE("a transient failure between others does not add up to a fallback", "[fallback]") {
    const FallbackPolicy policy;
    FallbackState state;
    policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(ErrorCategory::Network), false, 1);
    policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(ErrorCategory::ServerError), false, 2);
    policy.on_oauth_success(state, 3);
    CHECK(state.transient_failures == 0);
    policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(ErrorCategory::Timeout), false, 4);
    CHECK(state.mode == AccountMode::OAuth);
    CHECK(state.transient_failures == 1);
}

TEST_CASE("mail server answers: only a refused fresh token is an OAuth failure", "[fallback]") {
    const FallbackPolicy policy;
    for (const auto c : all_categories) {
        INFO(to_string(c));
        FallbackState state;
        for (int i = 0; i < 5; ++i) {
            const auto d = policy.on_oauth_failure(state, FailureSource::MailServer, error_of(c), false, i);
            CHECK(d.action != PolicyAction::SwitchToFallback);
        }
        CHECK(state.mode == AccountMode::OAuth);
    }
    FallbackState state;
    const auto d = policy.on_oauth_failure(state, FailureSource::MailServer, error_of(ErrorCategory::AuthRejected), true, 7);
    CHECK(d.action == PolicyAction::SwitchToFallback);
    CHECK(state.reason->find("freshly issued") != std::string::npos);
    // A fresh token refused for another reason than the sign-in is not one.
    FallbackState other;
    CHECK(policy.on_oauth_failure(other, FailureSource::MailServer, error_of(ErrorCategory::Network), true, 7).action ==
          PolicyAction::None);
}

TEST_CASE("in fallback: OAuth is retried at start and then daily, and success returns to OAuth", "[fallback]") {
    const FallbackPolicy policy;
    FallbackState state;
    policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(ErrorCategory::TlsCertificate), false, 1000);
    REQUIRE(state.mode == AccountMode::PasswordFallback);
    CHECK(policy.oauth_retry_due(state, 1001, true));
    CHECK_FALSE(policy.oauth_retry_due(state, 1001 + 3600, false));
    CHECK(policy.oauth_retry_due(state, 1000 + 86400, false));

    // Still broken: stays in fallback with the newest reason, the original time kept.
    const auto again = policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(ErrorCategory::AppRejected),
                                               false, 90000);
    CHECK(again.action == PolicyAction::StayInFallback);
    CHECK(state.since == 1000);
    CHECK(state.reason->find("rejected Tern") != std::string::npos);
    CHECK(state.last_oauth_attempt == 90000);

    const auto back = policy.on_oauth_success(state, 180000);
    CHECK(back.action == PolicyAction::ReturnToOAuth);
    CHECK(back.message.find("password has been removed") != std::string::npos);
    CHECK(state.mode == AccountMode::OAuth);
    CHECK_FALSE(state.reason);
    CHECK_FALSE(state.since);
    CHECK_FALSE(policy.oauth_retry_due(state, 999999, true));
}

TEST_CASE("a refused fallback password says whether basic auth is off and offers device code", "[fallback]") {
    const FallbackPolicy policy;
    FallbackState state;
    policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(ErrorCategory::TlsCertificate), false, 1);
    const auto blocked = policy.on_fallback_refused(
        state, Error(ErrorCategory::PolicyBlocked, "550 5.7.30 Basic authentication is not supported."));
    CHECK(blocked.action == PolicyAction::FallbackRefused);
    CHECK(blocked.offer_device_code);
    CHECK(blocked.message.find("basic authentication") != std::string::npos);
    CHECK(blocked.message.find("device code") != std::string::npos);  // the UI adds how to start it
    CHECK(state.mode == AccountMode::PasswordFallback);
    CHECK(state.reason->find("no longer accepts passwords") != std::string::npos);
    policy.on_fallback_refused(state, Error(ErrorCategory::PolicyBlocked, "again"));
    CHECK(state.reason->find("no longer accepts passwords") == state.reason->rfind("no longer accepts passwords"));

    const auto refused = policy.on_fallback_refused(state, Error(ErrorCategory::AuthRejected, "NO LOGIN failed."));
    CHECK(refused.message.find("September 2024") != std::string::npos);
}

TEST_CASE("password accounts are not the policy's business", "[fallback]") {
    const FallbackPolicy policy;
    FallbackState state;
    state.mode = AccountMode::Password;
    for (const auto c : all_categories)
        CHECK(policy.on_oauth_failure(state, FailureSource::IdentityPlatform, error_of(c), true, 1).action ==
              PolicyAction::None);
    CHECK(state.mode == AccountMode::Password);
}

TEST_CASE("the fallback settings come from the profile, and bad values fall back to the defaults", "[fallback]") {
    test::TempDir tmp;
    auto profile = Profile::open(tmp.path());
    auto& db = profile.db();
    auto defaults = accounts::fallback_settings(db);
    CHECK(defaults.retry_interval == std::chrono::hours(24));
    CHECK(defaults.transient_failures_before_fallback == 3);

    db.exec("INSERT INTO settings(key, value) VALUES ('fallback.retry_hours', '6'), "
            "('fallback.failures_before_switch', '5')");
    auto set = accounts::fallback_settings(db);
    CHECK(set.retry_interval == std::chrono::hours(6));
    CHECK(set.transient_failures_before_fallback == 5);

    db.exec("UPDATE settings SET value = '-1' WHERE key = 'fallback.retry_hours'");
    db.exec("UPDATE settings SET value = '3 days' WHERE key = 'fallback.failures_before_switch'");
    auto bad = accounts::fallback_settings(db);
    CHECK(bad.retry_interval == std::chrono::hours(24));
    CHECK(bad.transient_failures_before_fallback == 3);
}
