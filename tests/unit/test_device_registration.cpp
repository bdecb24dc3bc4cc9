#include "temp_dir.hpp"
#include "tern/accounts/device_registration.hpp"
#include "tern/accounts/relay_listen_settings.hpp"
#include "tern/auth/memory_credential_store.hpp"
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::accounts;
using tern::test::TempDir;

namespace {
Device printer(const std::string& name, DeviceKind kind) {
    Device d;
    d.name = name;
    d.model = "Brother MFC-L8900";
    d.mailbox = "scanner@contoso.example";
    d.kind = kind;
    return d;
}
}  // namespace

TEST_CASE("a relayed device is registered with a relay user and a password kept only in the store", "[devices]") {
    TempDir tmp;
    auto profile = Profile::open(tmp.path());
    DeviceRepository repo(profile.db());
    auth::MemoryCredentialStore secrets;

    const auto added = register_device(repo, secrets, profile.id(), printer("2nd floor MFP", DeviceKind::Relayed));
    CHECK(added.device.id > 0);
    CHECK(added.device.relay_user == "relay-2nd-floor-mfp");
    REQUIRE(added.relay_password);
    CHECK(added.relay_password->reveal().size() == 24);
    CHECK(device_relay_password(secrets, profile.id(), added.device) == *added.relay_password);

    // A taken name leaves neither a second device nor its password behind.
    CHECK_THROWS_AS(register_device(repo, secrets, profile.id(), printer("2ND FLOOR mfp", DeviceKind::Relayed)), Error);
    CHECK(repo.list().size() == 1);
    CHECK(device_relay_password(secrets, profile.id(), added.device) == *added.relay_password);

    const auto self = register_device(repo, secrets, profile.id(), printer("Lobby scanner", DeviceKind::Self));
    CHECK_FALSE(self.relay_password);
    CHECK_FALSE(self.device.relay_user);
    try {
        device_relay_password(secrets, profile.id(), self.device);
        FAIL("a device that signs in itself has no relay password");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::NotFound);
    }
}

TEST_CASE("the relay's listen address is kept in the profile with loopback as the default", "[devices]") {
    TempDir tmp;
    auto profile = Profile::open(tmp.path());
    auto& db = profile.db();
    CHECK(relay_listen_address(db).host == "127.0.0.1");
    CHECK(relay_listen_address(db).port == 2525);

    save_relay_listen_address(db, {"192.0.2.10", 2587});
    CHECK(relay_listen_address(db).host == "192.0.2.10");
    CHECK(relay_listen_address(db).port == 2587);

    CHECK_THROWS_AS(save_relay_listen_address(db, {"", 25}), Error);
    CHECK_THROWS_AS(save_relay_listen_address(db, {"bad host", 25}), Error);
    CHECK_THROWS_AS(save_relay_listen_address(db, {"::1", 0}), Error);
    CHECK(relay_listen_address(db).host == "192.0.2.10");  // refused values change nothing

    db.exec("UPDATE settings SET value = 'x' WHERE key = 'relay.listen_port'");
    CHECK(relay_listen_address(db).port == 2525);
}
