// Keeping relayed devices signed in: which devices are due, what a refresh records (rotation,
// last_refresh), and which failures make a device Invalid (a dead grant) and which leave it
// Acquired with last_error (outage). Also the relay's credentials over the same mailbox.
#include "device_fixture.hpp"
#include "fake_mail_server.hpp"

#include "tern/accounts/device_keep_alive.hpp"
#include "tern/accounts/device_mailbox.hpp"
#include "tern/accounts/device_guidance.hpp"
#include "tern/mail/login_check.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::accounts;
using tern::test::DeviceFixture;
using tern::test::grant_answer;
using tern::test::token_error;

namespace {

constexpr std::int64_t day = 24 * 3600;

std::vector<std::string> names(const std::vector<Device>& devices) {
    std::vector<std::string> out;
    for (const auto& d : devices) out.push_back(d.name);
    return out;
}

}  // namespace

TEST_CASE("keep-alive: only Acquired relayed devices refreshed longer ago than the interval are due", "[device-keep-alive]") {
    DeviceFixture f;
    const auto fresh = f.add("Fresh MFP", DeviceKind::Relayed);
    const auto never = f.add("Never signed in", DeviceKind::Relayed);
    const auto invalid = f.add("Invalid MFP", DeviceKind::Relayed);
    f.acquired(f.relayed, "rt-old", f.now - 8 * day);
    f.acquired(fresh, "rt-fresh", f.now - 1 * day);
    f.acquired(invalid, "rt-invalid", f.now - 30 * day);
    f.devices.set_token_state(invalid.id, TokenState::Invalid, std::string("revoked"));
    f.devices.set_token_state(f.self.id, TokenState::Acquired, std::nullopt);  // on the device itself
    (void)never;

    DeviceMailboxes mailboxes(f.services());
    DeviceKeepAlive keep_alive(mailboxes, KeepAliveSettings{});
    CHECK(names(keep_alive.due()) == std::vector<std::string>{"2nd floor MFP"});
    CHECK(keep_alive.next_due() == f.now - 8 * day + 7 * day);

    f.now += 6 * day;  // the fresh one is due now too
    CHECK(names(keep_alive.due()) == std::vector<std::string>{"2nd floor MFP", "Fresh MFP"});

    DeviceKeepAlive hourly(mailboxes, KeepAliveSettings{std::chrono::hours(1)});
    f.now -= 6 * day;
    f.devices.record_refresh(fresh.id, f.now - 1800);
    CHECK(hourly.next_due() == f.now - 8 * day + 3600);
    CHECK(names(hourly.due()) == std::vector<std::string>{"2nd floor MFP"});
}

TEST_CASE("keep-alive: a due device is refreshed now, the rotated token stored, last_refresh updated", "[device-keep-alive]") {
    DeviceFixture f;
    f.acquired(f.relayed, "rt-old", f.now - 8 * day);
    f.devices.record_error(f.relayed.id, "an earlier outage", f.now - day);
    f.http.answer(200, grant_answer("at-2", "rt-new"));
    DeviceMailboxes mailboxes(f.services());
    DeviceKeepAlive keep_alive(mailboxes, KeepAliveSettings{});
    const auto outcomes = keep_alive.run_due();
    REQUIRE(outcomes.size() == 1);
    CHECK(outcomes[0].refreshed);
    CHECK(outcomes[0].state == TokenState::Acquired);
    CHECK(f.http.requests()[0].body.find("refresh_token=rt-old") != std::string::npos);
    CHECK(f.refresh_token(f.relayed.name)->reveal() == "rt-new");
    const auto d = f.device(f.relayed.name);
    CHECK(d.last_refresh == f.now);
    CHECK_FALSE(d.last_error);
    CHECK(keep_alive.due().empty());
    CHECK(keep_alive.next_due() == f.now + 7 * day);
}

TEST_CASE("keep-alive: a refresh refused for a dead grant makes the device Invalid in plain words", "[device-keep-alive]") {
    DeviceFixture f;
    struct Case {
        long aadsts;
        const char* words;
    };
    const auto c = GENERATE(Case{50173, "was revoked"}, Case{700082, "not used for a long time"},
                            Case{700084, "not used for a long time"});
    f.acquired(f.relayed, "rt-old", f.now - 8 * day);
    f.http.answer(400, token_error("invalid_grant", c.aadsts));
    DeviceMailboxes mailboxes(f.services());
    DeviceKeepAlive keep_alive(mailboxes, KeepAliveSettings{});
    const auto outcomes = keep_alive.run_due();
    REQUIRE(outcomes.size() == 1);
    CHECK_FALSE(outcomes[0].refreshed);
    CHECK(outcomes[0].state == TokenState::Invalid);
    const auto d = f.device(f.relayed.name);
    CHECK(d.token_state == TokenState::Invalid);
    REQUIRE(d.token_reason);
    CHECK(d.token_reason->find(c.words) != std::string::npos);
    CHECK(d.last_refresh == f.now - 8 * day);
    CHECK(keep_alive.due().empty());  // an Invalid device is not kept alive
}

TEST_CASE("keep-alive: an outage leaves the device Acquired with the error recorded", "[device-keep-alive]") {
    DeviceFixture f;
    f.acquired(f.relayed, "rt-old", f.now - 8 * day);
    f.http.answer(503, token_error("temporarily_unavailable", 0));
    DeviceMailboxes mailboxes(f.services());
    DeviceKeepAlive keep_alive(mailboxes, KeepAliveSettings{});
    const auto outcomes = keep_alive.run_due();
    REQUIRE(outcomes.size() == 1);
    REQUIRE(outcomes[0].error);
    CHECK(outcomes[0].error->category() == ErrorCategory::ServerError);
    const auto d = f.device(f.relayed.name);
    CHECK(d.token_state == TokenState::Acquired);
    REQUIRE(d.last_error);
    CHECK(d.last_error->find("temporarily unavailable") != std::string::npos);
    CHECK(f.refresh_token(f.relayed.name)->reveal() == "rt-old");  // kept: it may still be fine
    CHECK(keep_alive.due().size() == 1);                           // tried again next time
}

TEST_CASE("keep-alive: the interval is the profile's devices.keep_alive_hours", "[device-keep-alive]") {
    DeviceFixture f;
    CHECK(keep_alive_settings(f.profile.db()).interval == std::chrono::hours(168));
    f.profile.db().exec("INSERT INTO settings(key, value) VALUES ('devices.keep_alive_hours', '24')");
    CHECK(keep_alive_settings(f.profile.db()).interval == std::chrono::hours(24));
    f.profile.db().exec("UPDATE settings SET value = 'weekly' WHERE key = 'devices.keep_alive_hours'");
    CHECK(keep_alive_settings(f.profile.db()).interval == std::chrono::hours(168));
}

TEST_CASE("a deleted token stays Not acquired when a refresh fails afterwards", "[device-keep-alive]") {
    DeviceFixture f;
    f.acquired(f.relayed, "rt-old", f.now - 8 * day);
    DeviceMailboxes mailboxes(f.services());
    auto mailbox = mailboxes.get(f.relayed);
    f.secrets.remove(device_refresh_token_key(f.profile.id(), f.relayed.name));
    f.devices.set_token_state(f.relayed.id, TokenState::NotAcquired, std::nullopt);
    CHECK_THROWS_AS(mailbox->refresh_now(), Error);
    CHECK(f.device(f.relayed.name).token_state == TokenState::NotAcquired);
}

// ---- the relay's view: credentials and upstream server ------------------------------------------

TEST_CASE("the relay gets the provider's SMTP server and XOAUTH2 as the device's mailbox", "[device-mailbox]") {
    test::FakeMailServer smtp(test::MailScript::SmtpPlain, nullptr, "235 2.7.0 Authentication successful");
    DeviceFixture f(smtp.port());
    f.acquired(f.relayed, "rt-old", f.now - 8 * day);
    f.http.answer(200, grant_answer("at-relay", "rt-new"));
    DeviceMailboxes mailboxes(f.services());
    auto mailbox = mailboxes.get(f.relayed);
    CHECK(mailboxes.get(f.relayed) == mailbox);  // one per device
    CHECK(mailbox->smtp_server().host == "127.0.0.1");
    CHECK(mailbox->smtp_server().port == smtp.port());
    const auto check = mail::check_login(mailbox->smtp_connection());
    CHECK(check.server_reply.find("235") == 0);
    const auto sent = smtp.auth_commands();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].rfind("AUTH XOAUTH2 ", 0) == 0);
    // user=scanner@contoso.example^Aauth=Bearer at-relay^A^A
    CHECK(sent[0].find("dXNlcj1zY2FubmVyQGNvbnRvc28uZXhhbXBsZQFhdXRoPUJlYXJlciBhdC1yZWxheQEB") != std::string::npos);
    CHECK(f.device(f.relayed.name).last_refresh == f.now);  // the token came from a refresh
    CHECK(f.refresh_token(f.relayed.name)->reveal() == "rt-new");
}

TEST_CASE("a token the mail server refuses even fresh makes the device Invalid with the server's reason", "[device-mailbox]") {
    test::FakeMailServer smtp(test::MailScript::SmtpPlain, nullptr, "535 5.7.3 Authentication unsuccessful");
    DeviceFixture f(smtp.port());
    f.acquired(f.relayed, "rt-1", f.now - day);
    f.http.answer(200, grant_answer("at-1", "rt-2"));  // the first login
    f.http.answer(200, grant_answer("at-2", "rt-3"));  // the refresh after the refusal
    DeviceMailboxes mailboxes(f.services());
    CHECK_THROWS_AS(mail::check_login(mailboxes.get(f.relayed)->smtp_connection()), Error);
    CHECK(smtp.auth_commands().size() == 2);
    const auto d = f.device(f.relayed.name);
    CHECK(d.token_state == TokenState::Invalid);
    REQUIRE(d.token_reason);
    CHECK(d.token_reason->find("refused a sign-in token Microsoft had just issued") != std::string::npos);
    REQUIRE(d.last_error);
    CHECK(d.last_error->find("5.7.3") != std::string::npos);
}

TEST_CASE("a revoked grant met by the relay makes the device Invalid", "[device-mailbox]") {
    DeviceFixture f;
    f.acquired(f.relayed, "rt-1", f.now - day);
    f.http.answer(400, token_error("invalid_grant", 50173));
    DeviceMailboxes mailboxes(f.services());
    auto credentials = mailboxes.get(f.relayed)->credentials();
    CHECK_THROWS_AS(credentials->login(CancelToken()), Error);
    const auto d = f.device(f.relayed.name);
    CHECK(d.token_state == TokenState::Invalid);
    CHECK(d.token_reason->find("revoked") != std::string::npos);
}

TEST_CASE("last_refresh records refreshes, not every connection that reuses the token", "[device-mailbox]") {
    DeviceFixture f;
    f.acquired(f.relayed, "rt-1", f.now - 8 * day);
    f.http.answer(200, grant_answer("at-1", "rt-2"));
    DeviceMailboxes mailboxes(f.services());
    auto mailbox = mailboxes.get(f.relayed);
    const auto refreshed_at = f.now;
    CHECK(mailbox->credentials()->login(CancelToken()).secret.reveal() == "at-1");
    CHECK(f.device(f.relayed.name).last_refresh == refreshed_at);
    f.now += 600;  // the next connection, 10 minutes later: the access token is still good
    CHECK(mailbox->credentials()->login(CancelToken()).secret.reveal() == "at-1");
    CHECK(f.http.requests().size() == 1);
    CHECK(f.device(f.relayed.name).last_refresh == refreshed_at);
}

TEST_CASE("the relay learns that SMTP AUTH is disabled for the device's mailbox: Invalid with the reason", "[device-mailbox]") {
    test::FakeMailServer smtp(test::MailScript::SmtpPlain, nullptr,
                              "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
                              "Tenant/Mailbox");
    DeviceFixture f(smtp.port());
    f.acquired(f.relayed, "rt-1", f.now - day);
    f.http.answer(200, grant_answer("at-1", "rt-2"));
    DeviceMailboxes mailboxes(f.services());
    auto mailbox = mailboxes.get(f.relayed);
    std::optional<Error> failure;
    try {
        mail::check_login(mailbox->smtp_connection());
    } catch (const Error& e) {
        failure = e;
    }
    REQUIRE(failure);
    CHECK(failure->category() == ErrorCategory::PolicyBlocked);
    CHECK(smtp.auth_commands().size() == 1);  // no new token helps: not tried again
    CHECK(f.device(f.relayed.name).token_state == TokenState::Acquired);
    CHECK(mailbox->upstream_failed(*failure));
    const auto d = f.device(f.relayed.name);
    CHECK(d.token_state == TokenState::Invalid);
    CHECK(d.token_reason->find("SMTP AUTH is disabled for this tenant or mailbox") != std::string::npos);
    CHECK(advice_for(*d.last_error)->code == "5.7.139");
    // A policy refusal of the message, not the sign-in, is the relay's to record.
    f.devices.set_token_state(f.relayed.id, TokenState::Acquired, std::nullopt);
    const Error send_as(ErrorCategory::PolicyBlocked, "not allowed to send as", {},
                        {"MAIL FROM:<boss@contoso.example>", "550 5.7.60 SMTP; Client does not have permissions",
                         "550 5.7.60"});
    CHECK_FALSE(mailbox->upstream_failed(send_as));
    CHECK(f.device(f.relayed.name).token_state == TokenState::Acquired);
}
