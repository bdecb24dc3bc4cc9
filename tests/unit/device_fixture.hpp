// A profile with one relayed and one self device, a scripted identity platform (FakeHttpClient),
// a memory credential store and a clock the test moves, for the device sign-in tests.
#pragma once

#include "fake_http_client.hpp"
#include "temp_dir.hpp"

#include "tern/accounts/device_repository.hpp"
#include "tern/accounts/device_services.hpp"
#include "tern/auth/memory_credential_store.hpp"
#include "tern/core/profile.hpp"

#include <string>

namespace tern::test {

// `smtp_port`: where the provider's OAuth SMTP server is (127.0.0.1, no TLS) for tests that talk
// to a scripted server.
inline std::string device_providers_json(int smtp_port = 587) {
    return R"({"format": 1, "providers": [{
      "id": "microsoft365", "display_name": "Microsoft 365", "domains": ["contoso.example"],
      "oauth": {
        "authorize_url": "https://idp.test/{tenant}/authorize",
        "token_url": "https://idp.test/{tenant}/token",
        "device_code_url": "https://idp.test/{tenant}/devicecode",
        "admin_consent_url": "https://idp.test/{tenant}/adminconsent?client_id={client_id}",
        "tenant": "organizations", "client_id": "client-1",
        "scopes": {"imap": ["IMAP", "offline_access"], "smtp": ["https://outlook.office.com/SMTP.Send"]}
      },
      "servers": {"imap": {"host": "imap.test", "port": 993, "tls": "ssl"},
                  "smtp": {"host": "127.0.0.1", "port": )" +
           std::to_string(smtp_port) + R"(, "tls": "none"}}
    }]})";
}

inline const char* device_code_answer =
    R"({"device_code":"dc-1","user_code":"FH7KQ2ZJM","verification_uri":"https://idp.test/devicelogin",
        "expires_in":900,"interval":1,"message":"To sign in, open https://idp.test/devicelogin and enter the code FH7KQ2ZJM."})";

inline std::string grant_answer(const std::string& access, const std::string& refresh) {
    return R"({"token_type":"Bearer","expires_in":3600,"access_token":")" + access + R"(","refresh_token":")" +
           refresh + R"("})";
}

inline std::string token_error(const std::string& error, long aadsts) {
    return R"({"error":")" + error + R"(","error_description":"AADSTS)" + std::to_string(aadsts) +
           R"(: from the test","error_codes":[)" + std::to_string(aadsts) + "]}";
}

struct DeviceFixture {
    TempDir tmp;
    Profile profile = Profile::open(tmp.path());
    accounts::DeviceRepository devices{profile.db()};
    auth::MemoryCredentialStore secrets;
    FakeHttpClient http;
    std::int64_t now = 1'800'000'000;
    accounts::ProviderCatalog catalog;
    accounts::Device relayed, self;

    explicit DeviceFixture(int smtp_port = 587)
        : catalog(accounts::ProviderCatalog::parse(device_providers_json(smtp_port), "test providers")) {
        relayed = add("2nd floor MFP", accounts::DeviceKind::Relayed);
        self = add("Lobby scanner", accounts::DeviceKind::Self);
    }

    accounts::Device add(const std::string& name, accounts::DeviceKind kind) {
        accounts::Device d;
        d.name = name;
        d.mailbox = "scanner@contoso.example";
        d.kind = kind;
        if (kind == accounts::DeviceKind::Relayed) d.relay_user = accounts::relay_user_for(name);
        devices.add(d);
        return *devices.find(name);
    }

    accounts::DeviceServices services() {
        return {devices, secrets, profile.id(), catalog, http, [this] { return now; }};
    }
    accounts::Device device(const std::string& name) { return *devices.find(name); }
    std::optional<Secret> refresh_token(const std::string& name) {
        return secrets.load(accounts::device_refresh_token_key(profile.id(), name));
    }
    // A relayed device that signed in earlier: its refresh token stored, Acquired, refreshed at `when`.
    void acquired(const accounts::Device& d, const std::string& refresh, std::int64_t when) {
        secrets.store(accounts::device_refresh_token_key(profile.id(), d.name), Secret(refresh));
        devices.set_token_state(d.id, accounts::TokenState::Acquired, std::nullopt);
        devices.record_refresh(d.id, when);
    }
};

}  // namespace tern::test
