#include "temp_dir.hpp"
#include "tern/accounts/account_repository.hpp"
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace tern;
using namespace tern::accounts;
using tern::mail::MailProtocol;
using tern::mail::TlsMode;
using tern::test::TempDir;

namespace {
Account outlook_account() {
    Account a;
    a.email = "alice@outlook.test";
    a.display_name = "Alice";
    a.provider = "outlook";
    a.mode = AccountMode::OAuth;
    a.tenant = "consumers";
    a.servers = {{MailProtocol::Imap, "outlook.office365.com", 993, TlsMode::Ssl, ""},
                 {MailProtocol::Smtp, "smtp.office365.com", 587, TlsMode::StartTls, ""}};
    a.fallback_servers = {{MailProtocol::Imap, "imap-mail.outlook.com", 993, TlsMode::Ssl, ""},
                          {MailProtocol::Smtp, "smtp-mail.outlook.com", 587, TlsMode::StartTls, ""}};
    return a;
}
}  // namespace

TEST_CASE("an account round-trips through the profile with its servers", "[accounts]") {
    TempDir tmp;
    auto profile = Profile::open(tmp.path());
    AccountRepository repo(profile.db());
    const auto id = repo.add(outlook_account());
    CHECK(id > 0);

    auto found = repo.find("ALICE@outlook.test");  // email lookup ignores case
    REQUIRE(found);
    CHECK(found->id == id);
    CHECK(found->mode == AccountMode::OAuth);
    CHECK(found->tenant == "consumers");
    CHECK(found->created_at > 1700000000);
    CHECK(found->servers == outlook_account().servers);
    CHECK(found->fallback_servers == outlook_account().fallback_servers);
    CHECK_FALSE(found->fallback_reason.has_value());
}

TEST_CASE("duplicate and malformed accounts are refused with a clear message", "[accounts]") {
    TempDir tmp;
    auto profile = Profile::open(tmp.path());
    AccountRepository repo(profile.db());
    repo.add(outlook_account());
    try {
        repo.add(outlook_account());
        FAIL("duplicate accepted");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::BadInput);
        CHECK(e.message().find("already an account") != std::string::npos);
    }
    Account bad = outlook_account();
    bad.email = "not-an-address";
    CHECK_THROWS_AS(repo.add(bad), Error);
    Account bad_port = outlook_account();
    bad_port.email = "b@x.test";
    bad_port.servers[0].port = 70000;
    CHECK_THROWS_AS(repo.add(bad_port), Error);
    CHECK_FALSE(repo.find("b@x.test"));  // the failed insert left nothing half-written
}

TEST_CASE("accounts are listed in order and removed with their servers", "[accounts]") {
    TempDir tmp;
    auto profile = Profile::open(tmp.path());
    AccountRepository repo(profile.db());
    auto b = outlook_account();
    b.email = "bob@example.test";
    b.mode = AccountMode::Password;
    repo.add(b);
    repo.add(outlook_account());
    auto all = repo.list();
    REQUIRE(all.size() == 2);
    CHECK(all[0].email == "alice@outlook.test");
    CHECK(all[1].email == "bob@example.test");
    CHECK(all[1].mode == AccountMode::Password);

    CHECK(repo.remove("alice@outlook.test"));
    CHECK_FALSE(repo.remove("alice@outlook.test"));
    CHECK(repo.list().size() == 1);
    CHECK(profile.db().query_int("SELECT count(*) FROM account_servers") == 4);
}

TEST_CASE("settings, certificate pins and the fallback state are saved and read back", "[accounts]") {
    TempDir tmp;
    auto profile = Profile::open(tmp.path());
    AccountRepository repo(profile.db());
    repo.add(outlook_account());
    auto a = *repo.find("alice@outlook.test");
    CHECK(a.settings.bodies == mail::BodyPolicy::All);  // the defaults
    CHECK(a.settings.pop3_leave_on_server);
    CHECK(a.pins.empty());

    a.settings.bodies = mail::BodyPolicy::RecentDays;
    a.settings.recent_days = 7;
    a.settings.pop3_leave_on_server = false;
    a.settings.pop3_delete_after_days = 14;
    a.client_id = "11111111-2222-3333-4444-555555555555";
    a.tenant = "contoso.example";
    const std::string fingerprint(32, 'A');  // 32 hex digits are not 32 bytes: refused
    a.pins = {{"imap-mail.outlook.com", 993, std::string(64, 'A')}};
    repo.save_settings(a);
    a.mode = AccountMode::PasswordFallback;
    a.fallback_reason = "the certificate was not accepted";
    a.fallback_since = 1700000000;
    a.last_oauth_attempt = 1700000100;
    a.oauth_transient_failures = 2;
    repo.save_fallback_state(a);

    const auto back = *repo.find("alice@outlook.test");
    CHECK(back.settings.bodies == mail::BodyPolicy::RecentDays);
    CHECK(back.settings.recent_days == 7);
    CHECK_FALSE(back.settings.pop3_leave_on_server);
    CHECK(back.settings.pop3_delete_after_days == 14);
    CHECK(back.client_id == "11111111-2222-3333-4444-555555555555");
    CHECK(back.tenant == "contoso.example");
    REQUIRE(back.pins.size() == 1);
    CHECK(back.pins[0].sha256.substr(0, 6) == "aa:aa:");  // normalised
    CHECK(back.mode == AccountMode::PasswordFallback);
    CHECK(back.fallback_reason == a.fallback_reason);
    CHECK(back.fallback_since == 1700000000);
    CHECK(back.last_oauth_attempt == 1700000100);
    CHECK(back.oauth_transient_failures == 2);

    a.pins = {{"imap-mail.outlook.com", 993, fingerprint}};
    CHECK_THROWS_AS(repo.save_settings(a), Error);
    CHECK(repo.find("alice@outlook.test")->pins.size() == 1);  // nothing half-written
    a.pins.clear();
    a.settings.recent_days = 0;
    CHECK_THROWS_AS(repo.save_settings(a), Error);

    // The pins go with the account.
    repo.remove("alice@outlook.test");
    CHECK(profile.db().query_int("SELECT count(*) FROM certificate_pins") == 0);
}

TEST_CASE("the fallback servers and the servers of the mode can be changed, and nothing else moves", "[accounts]") {
    TempDir tmp;
    auto profile = Profile::open(tmp.path());
    AccountRepository repo(profile.db());
    repo.add(outlook_account());
    auto a = *repo.find("alice@outlook.test");
    // A tenant whose admin moved the password SMTP server, and a POP3 fallback added.
    a.fallback_servers[1] = {MailProtocol::Smtp, "smtp.contoso.example", 465, TlsMode::Ssl, "alice"};
    a.fallback_servers.push_back({MailProtocol::Pop3, "pop-mail.outlook.com", 995, TlsMode::Ssl, ""});
    repo.save_settings(a);

    const auto saved = *repo.find("alice@outlook.test");
    REQUIRE(saved.fallback_servers.size() == 3);
    const auto smtp = std::find_if(saved.fallback_servers.begin(), saved.fallback_servers.end(),
                                   [](const auto& s) { return s.protocol == MailProtocol::Smtp; });
    REQUIRE(smtp != saved.fallback_servers.end());
    CHECK(smtp->host == "smtp.contoso.example");
    CHECK(smtp->port == 465);
    CHECK(smtp->tls == TlsMode::Ssl);
    CHECK(smtp->username == "alice");
    CHECK(saved.servers.size() == 2);
    CHECK(saved.servers[0].host == "outlook.office365.com");
    CHECK(saved.mode == AccountMode::OAuth);
}
