#include "temp_dir.hpp"
#include "tern/accounts/device_repository.hpp"
#include "tern/accounts/relay_credentials.hpp"
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace tern;
using namespace tern::accounts;
using tern::test::TempDir;

namespace {
Device printer(const std::string& name, DeviceKind kind) {
    Device d;
    d.name = name;
    d.model = "Brother MFC-L8900";
    d.address = "192.0.2.17";
    d.mailbox = "scanner@contoso.example";
    d.kind = kind;
    if (kind == DeviceKind::Relayed) d.relay_user = relay_user_for(name);
    return d;
}
}  // namespace

TEST_CASE("devices round-trip through the registry with their token state", "[devices]") {
    TempDir tmp;
    auto profile = Profile::open(tmp.path());
    DeviceRepository repo(profile.db());
    const auto id = repo.add(printer("2nd floor MFP", DeviceKind::Relayed));
    repo.add(printer("Lobby scanner", DeviceKind::Self));

    auto d = repo.find("2ND FLOOR mfp");  // names ignore case
    REQUIRE(d);
    CHECK(d->id == id);
    CHECK(d->kind == DeviceKind::Relayed);
    CHECK(d->token_state == TokenState::NotAcquired);
    CHECK(d->relay_user == "relay-2nd-floor-mfp");
    CHECK(d->created_at > 0);
    CHECK(repo.find_by_relay_user("relay-2nd-floor-mfp")->name == "2nd floor MFP");
    CHECK_FALSE(repo.find("Lobby scanner")->relay_user);

    repo.set_token_state(id, TokenState::Invalid, std::string("the sign-in was revoked (AADSTS50173)"));
    repo.record_refresh(id, 1700000000);
    repo.record_error(id, "535 5.7.139 SMTP AUTH is disabled", 1700000100);
    d = repo.find("2nd floor MFP");
    CHECK(d->token_state == TokenState::Invalid);
    CHECK(d->token_reason == "the sign-in was revoked (AADSTS50173)");
    CHECK(d->last_refresh == 1700000000);
    CHECK(d->last_error == "535 5.7.139 SMTP AUTH is disabled");
    CHECK(d->last_error_at == 1700000100);

    const auto all = repo.list();
    REQUIRE(all.size() == 2);
    CHECK(all[0].name == "2nd floor MFP");
    CHECK(repo.remove("lobby SCANNER"));
    CHECK_FALSE(repo.remove("lobby scanner"));
    CHECK(repo.list().size() == 1);
}

TEST_CASE("a device with no name, a bad mailbox or a taken name is refused with the reason", "[devices]") {
    TempDir tmp;
    auto profile = Profile::open(tmp.path());
    DeviceRepository repo(profile.db());
    repo.add(printer("MFP", DeviceKind::Relayed));
    const auto refused = [&](const Device& d, const std::string& words) {
        try {
            repo.add(d);
            FAIL("added");
        } catch (const Error& e) {
            CHECK(e.category() == ErrorCategory::BadInput);
            CHECK(e.message().find(words) != std::string::npos);
        }
    };
    refused(printer("", DeviceKind::Self), "name");
    auto bad = printer("Other", DeviceKind::Self);
    bad.mailbox = "scanner";
    refused(bad, "not a mailbox address");
    bad.mailbox = "@contoso.example";
    refused(bad, "not a mailbox address");
    refused(printer("mfp", DeviceKind::Self), "already a device");
    auto same_user = printer("M F P", DeviceKind::Relayed);  // relay-m-f-p: fine
    repo.add(same_user);
    auto clash = printer("MFP!", DeviceKind::Relayed);  // relay-mfp again
    refused(clash, "already signs in to the relay as relay-mfp");
    // A relayed row without a relay user cannot exist, even written by hand.
    CHECK_THROWS(profile.db().exec("INSERT INTO devices(name, mailbox, kind, created_at) VALUES ('x', 'a@b', 'relayed', 1)"));
}

TEST_CASE("relay user names and passwords", "[devices]") {
    CHECK(relay_user_for("2nd floor MFP") == "relay-2nd-floor-mfp");
    CHECK(relay_user_for("  Ricoh--IM C3000 (Sales) ") == "relay-ricoh-im-c3000-sales");
    CHECK(relay_user_for("Großraumbüro") == "relay-gro-raumb-ro");
    CHECK(relay_user_for("!!!") == "relay-device");
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const auto password = new_relay_password();
        const std::string text(password.reveal());
        CHECK(text.size() == 24);
        CHECK(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
              std::string::npos);
        seen.insert(text);
    }
    CHECK(seen.size() == 200);
}
