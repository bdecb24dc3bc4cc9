#include "temp_dir.hpp"
#include "tern/accounts/account_repository.hpp"
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"

#include <catch2/catch.hpp>

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
