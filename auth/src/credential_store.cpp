#include "tern/auth/credential_store.hpp"

#include "platform_credential_stores.hpp"
#include "tern/core/error.hpp"

#include <string>
#include <vector>

namespace tern::auth {

std::string CredentialKey::label() const { return "Tern " + kind + " for " + account; }

namespace {
void append_escaped(std::string& out, const std::string& field) {
    for (char c : field) {
        if (c == '%')
            out += "%25";
        else if (c == '/')
            out += "%2F";
        else
            out += c;
    }
}
}  // namespace

std::string path_of(const CredentialKey& key) {
    std::string path;
    append_escaped(path, key.profile_id);
    path += '/';
    append_escaped(path, key.account);
    path += '/';
    append_escaped(path, key.kind);
    return path;
}

void validate(const CredentialKey& key) {
    std::vector<std::string> missing;
    if (key.profile_id.empty()) missing.emplace_back("profile");
    if (key.account.empty()) missing.emplace_back("account");
    if (key.kind.empty()) missing.emplace_back("kind");
    if (missing.empty()) return;

    std::string fields;
    for (const auto& field : missing) fields += (fields.empty() ? "" : ", ") + field;
    // Always a bug in the caller, but the message still has to make sense in a dialog.
    throw Error(ErrorCategory::BadInput,
                "Tern cannot save or look up a password or token without knowing which profile, "
                "account and kind it belongs to (missing: " + fields + ").",
                "CredentialKey with empty field(s): " + fields + "; account='" + key.account +
                    "' kind='" + key.kind + "'");
}

std::unique_ptr<CredentialStore> make_system_credential_store() {
#if defined(_WIN32)
    return make_wincred_credential_store();
#elif defined(__APPLE__)
    return make_keychain_credential_store();
#elif defined(__linux__)
    return make_libsecret_credential_store();
#else
    throw Error(ErrorCategory::Unsupported,
                "Tern cannot keep passwords and sign-in tokens on this operating system: it knows "
                "the keyrings of Linux, Windows and macOS only.",
                "make_system_credential_store: no credential store for this platform");
#endif
}

}  // namespace tern::auth
