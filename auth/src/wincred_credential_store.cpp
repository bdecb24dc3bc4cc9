// CredentialStore on the Windows Credential Manager: one generic credential per key, kept for
// the signed-in user on this computer, named "Tern/<profile>/<account>/<kind>".
#ifdef _WIN32

#include "platform_credential_stores.hpp"

#include "tern/core/error.hpp"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
// windows.h first: wincred.h relies on its types.
#include <wincred.h>

#include <climits>
#include <memory>
#include <string>

namespace tern::auth {
namespace {

enum class Operation { Store, Load, Remove };

const char* verb(Operation op) {
    switch (op) {
        case Operation::Store: return "save";
        case Operation::Load: return "read";
        case Operation::Remove: return "remove";
    }
    return "use";
}

// Credential Manager speaks UTF-16; keys are UTF-8.
std::wstring widen(const std::string& utf8) {
    if (utf8.empty()) return {};
    if (utf8.size() > static_cast<std::size_t>(INT_MAX))
        throw Error(ErrorCategory::BadInput, "The account name is too long to store.",
                    "wincred: key field longer than INT_MAX bytes");
    const int size = static_cast<int>(utf8.size());
    const int wide_size =
        MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), size, nullptr, 0);
    if (wide_size <= 0) {
        throw Error(ErrorCategory::BadInput,
                    "The account name or credential kind contains characters that are not valid "
                    "text, so Windows Credential Manager cannot hold it.",
                    "wincred: MultiByteToWideChar failed with error " +
                        std::to_string(GetLastError()));
    }
    std::wstring wide(static_cast<std::size_t>(wide_size), L'\0');
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), size, wide.data(), wide_size);
    return wide;
}

std::wstring target_of(const CredentialKey& key) { return widen("Tern/" + path_of(key)); }

std::string system_message(DWORD code) {
    char text[512] = {};
    const DWORD length =
        FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, code, 0,
                       text, sizeof text, nullptr);
    std::string message(text, length);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r'))
        message.pop_back();
    return message;
}

Error to_error(DWORD code, const char* call, Operation op, const CredentialKey& key) {
    std::string detail = std::string(call) + " 'Tern/" + path_of(key) + "': error " +
                         std::to_string(code) + ": " + system_message(code);
    const std::string what = "the " + key.kind + " for " + key.account;

    if (code == ERROR_NO_SUCH_LOGON_SESSION) {
        // Services, scheduled tasks without a stored password and some remote sessions.
        return Error(ErrorCategory::Storage,
                     "Windows Credential Manager is not available in this kind of session, so Tern "
                     "could not " + std::string(verb(op)) + " " + what +
                         ". Run Tern in your own signed-in Windows session.",
                     std::move(detail));
    }
    return Error(ErrorCategory::Storage,
                 "Windows Credential Manager could not " + std::string(verb(op)) + " " + what +
                     " (error " + std::to_string(code) +
                     "). Try again; if it keeps failing, check the entry \"Tern/" + path_of(key) +
                     "\" under Windows Credentials in Credential Manager.",
                 std::move(detail));
}

// CredFree does not wipe: clear the secret's bytes first.
struct WipingCredFree {
    void operator()(PCREDENTIALW credential) const {
        if (credential->CredentialBlob != nullptr)
            SecureZeroMemory(credential->CredentialBlob, credential->CredentialBlobSize);
        CredFree(credential);
    }
};

class WincredCredentialStore final : public CredentialStore {
public:
    void store(const CredentialKey& key, const Secret& secret) override {
        validate(key);
        const std::string_view plain = secret.reveal();
        if (plain.size() > CRED_MAX_CREDENTIAL_BLOB_SIZE) {
            throw Error(ErrorCategory::Storage,
                        "The " + key.kind + " for " + key.account + " is " +
                            std::to_string(plain.size()) + " bytes long, more than the " +
                            std::to_string(CRED_MAX_CREDENTIAL_BLOB_SIZE) +
                            " that Windows Credential Manager can hold, so Tern could not save "
                            "it. Please report this to the Tern developers.",
                        "wincred: secret of " + std::to_string(plain.size()) +
                            " bytes exceeds CRED_MAX_CREDENTIAL_BLOB_SIZE");
        }
        std::wstring target = target_of(key);
        std::wstring user = widen(key.account);
        std::wstring comment = widen(key.label());

        CREDENTIALW credential{};
        credential.Type = CRED_TYPE_GENERIC;
        credential.TargetName = target.data();
        credential.Comment = comment.data();
        credential.UserName = user.data();
        credential.Persist = CRED_PERSIST_LOCAL_MACHINE;
        credential.CredentialBlobSize = static_cast<DWORD>(plain.size());
        // CredWriteW only reads the blob; pointing at the Secret avoids a copy to wipe.
        credential.CredentialBlob =
            plain.empty() ? nullptr
                          : reinterpret_cast<LPBYTE>(const_cast<char*>(plain.data()));
        if (!CredWriteW(&credential, 0))
            throw to_error(GetLastError(), "CredWriteW", Operation::Store, key);
    }

    std::optional<Secret> load(const CredentialKey& key) override {
        validate(key);
        const std::wstring target = target_of(key);
        PCREDENTIALW raw = nullptr;
        if (!CredReadW(target.c_str(), CRED_TYPE_GENERIC, 0, &raw)) {
            const DWORD code = GetLastError();
            if (code == ERROR_NOT_FOUND) return std::nullopt;
            throw to_error(code, "CredReadW", Operation::Load, key);
        }
        const std::unique_ptr<CREDENTIALW, WipingCredFree> credential(raw);
        if (credential->CredentialBlob == nullptr || credential->CredentialBlobSize == 0)
            return Secret();
        return Secret(std::string(reinterpret_cast<const char*>(credential->CredentialBlob),
                                  credential->CredentialBlobSize));
    }

    bool remove(const CredentialKey& key) override {
        validate(key);
        const std::wstring target = target_of(key);
        if (CredDeleteW(target.c_str(), CRED_TYPE_GENERIC, 0)) return true;
        const DWORD code = GetLastError();
        if (code == ERROR_NOT_FOUND) return false;
        throw to_error(code, "CredDeleteW", Operation::Remove, key);
    }

    std::string backend_name() const override { return "Windows Credential Manager"; }
};

}  // namespace

std::unique_ptr<CredentialStore> make_wincred_credential_store() {
    return std::make_unique<WincredCredentialStore>();
}

}  // namespace tern::auth

#endif  // _WIN32
