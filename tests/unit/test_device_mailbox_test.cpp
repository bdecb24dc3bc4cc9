// "Test this mailbox" (tern-cli device test): SMTP AUTH XOAUTH2 against scripted servers that
// answer as Exchange Online does, and a sign-in the platform refuses; the outcome is the device's
// last_error with the troubleshooting table's advice, or no error when it works.
#include "device_fixture.hpp"
#include "fake_mail_server.hpp"

#include "tern/accounts/device_mailbox_test.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::accounts;
using tern::test::device_code_answer;
using tern::test::DeviceFixture;
using tern::test::FakeMailServer;
using tern::test::MailScript;
using tern::test::token_error;

TEST_CASE("device test recognises Exchange Online's SMTP AUTH refusals", "[device-test]") {
    struct Case {
        const char* reply;
        const char* code;
        ErrorCategory category;
        const char* words;
    };
    const auto c = GENERATE(
        Case{"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant/Mailbox",
             "5.7.139", ErrorCategory::PolicyBlocked, "SMTP AUTH is disabled for this tenant or mailbox"},
        Case{"550 5.7.30 Basic authentication is not supported for Client Submission", "5.7.30",
             ErrorCategory::PolicyBlocked, "basic SMTP authentication is retired"},
        Case{"535 5.7.3 Authentication unsuccessful", "5.7.3", ErrorCategory::AuthRejected,
             "signed in as the same account as this mailbox"});
    FakeMailServer smtp(MailScript::SmtpPlain, nullptr, c.reply);
    DeviceFixture f(smtp.port());
    DeviceMailboxTest check(f.services(), f.self);
    const auto result = check.try_smtp(Secret(std::string("at-test")));
    CHECK_FALSE(result.ok);
    REQUIRE(result.error);
    CHECK(result.error->category() == c.category);
    CHECK(result.error->message().find(c.words) != std::string::npos);
    REQUIRE(result.advice);
    CHECK(result.advice->code == c.code);
    const auto d = f.device(f.self.name);
    REQUIRE(d.last_error);
    CHECK(d.last_error->find(c.code) != std::string::npos);
    CHECK(advice_for(*d.last_error)->code == c.code);  // device show explains it the same way
    CHECK(d.token_state == TokenState::NotAcquired);    // the token stays on the device: no state here
    CHECK(smtp.auth_commands().at(0).rfind("AUTH XOAUTH2 ", 0) == 0);
}

TEST_CASE("device test that works clears the last error and stores no token", "[device-test]") {
    FakeMailServer smtp(MailScript::SmtpPlain, nullptr, "235 2.7.0 Authentication successful");
    DeviceFixture f(smtp.port());
    f.devices.record_error(f.self.id, "535 5.7.139 from an earlier test", f.now - 60);
    f.http.answer(200, device_code_answer);
    f.http.answer(200, test::grant_answer("at-test", "rt-test"));
    DeviceMailboxTest check(f.services(), f.self);
    CHECK(check.get_code().user_code == "FH7KQ2ZJM");
    const auto result = check.run(CancelToken());
    CHECK(result.ok);
    CHECK_FALSE(result.error);
    CHECK(result.server_reply.rfind("235", 0) == 0);
    CHECK_FALSE(f.device(f.self.name).last_error);
    CHECK_FALSE(f.refresh_token(f.self.name));
}

TEST_CASE("device test explains a sign-in the platform refuses (AADSTS)", "[device-test]") {
    FakeMailServer smtp(MailScript::SmtpPlain, nullptr, "235 2.7.0 Authentication successful");
    DeviceFixture f(smtp.port());
    f.http.answer(200, device_code_answer);
    f.http.answer(400, token_error("invalid_grant", 65001));
    DeviceMailboxTest check(f.services(), f.self);
    check.get_code();
    const auto result = check.run(CancelToken());
    CHECK_FALSE(result.ok);
    REQUIRE(result.advice);
    CHECK(result.advice->code == "AADSTS65001");
    CHECK(smtp.auth_commands().empty());  // no token, no SMTP attempt
    CHECK(f.device(f.self.name).last_error->find("AADSTS65001") != std::string::npos);
}

TEST_CASE("device test tries the server it is given instead of the provider's", "[device-test]") {
    FakeMailServer smtp(MailScript::SmtpPlain, nullptr, "235 2.7.0 Authentication successful");
    DeviceFixture f;  // the provider's SMTP server is port 587, where nothing listens
    const auto server = mail::parse_endpoint(mail::MailProtocol::Smtp, "127.0.0.1:" + std::to_string(smtp.port()) + ":none");
    DeviceMailboxTest check(f.services(), f.self, server);
    CHECK(check.try_smtp(Secret(std::string("at"))).ok);
}
