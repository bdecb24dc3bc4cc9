// Where secrets live: the operating system's credential store (libsecret on Linux, Windows
// Credential Manager, macOS Keychain), or memory in unit tests. Never SQLite, files or logs.
#pragma once

#include "tern/core/secret.hpp"

#include <memory>
#include <optional>
#include <string>

namespace tern::auth {

// What a secret belongs to. `profile_id` keeps profiles apart (a test profile never sees the
// person's real secrets); `account` is an email address or a device name; `kind` says which
// secret ("password", "refresh-token", "relay-password", ...).
struct CredentialKey {
    std::string profile_id;
    std::string account;
    std::string kind;

    // Human-readable label shown by keyring managers ("Tern refresh-token for alice@example.com").
    std::string label() const;
    friend bool operator==(const CredentialKey& a, const CredentialKey& b) {
        return a.profile_id == b.profile_id && a.account == b.account && a.kind == b.kind;
    }
};

// All operations throw tern::Error: Storage when the store is unreachable or refuses (with the fix
// in the message), Cancelled when the person dismissed an unlock prompt, BadInput for an empty key.
class CredentialStore {
public:
    virtual ~CredentialStore() = default;

    // Create or replace.
    virtual void store(const CredentialKey& key, const Secret& secret) = 0;
    virtual std::optional<Secret> load(const CredentialKey& key) = 0;
    // True when something was removed.
    virtual bool remove(const CredentialKey& key) = 0;
    // For messages and diagnostics: "libsecret", "Windows Credential Manager", "memory", ...
    virtual std::string backend_name() const = 0;
};

// The store of this platform. Linux: libsecret (Secret Service over D-Bus); Windows: Credential
// Manager; macOS: Keychain. Throws tern::Error (Unsupported) on any other platform.
std::unique_ptr<CredentialStore> make_system_credential_store();

// Throws tern::Error (BadInput) when a field of the key is empty.
void validate(const CredentialKey& key);

}  // namespace tern::auth
