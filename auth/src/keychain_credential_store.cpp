// CredentialStore on the macOS Keychain: one generic password per key, service "Tern", account
// "<profile>/<account>/<kind>", labelled for Keychain Access.
#ifdef __APPLE__

#include "platform_credential_stores.hpp"

#include "tern/core/error.hpp"

#include <CoreFoundation/CoreFoundation.h>
#include <Security/Security.h>

#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <type_traits>

namespace tern::auth {
namespace {

struct CFReleaser {
    void operator()(const void* ref) const {
        if (ref != nullptr) CFRelease(ref);
    }
};
template <typename Ref>
using CFPtr = std::unique_ptr<std::remove_pointer_t<Ref>, CFReleaser>;

enum class Operation { Store, Load, Remove };

const char* verb(Operation op) {
    switch (op) {
        case Operation::Store: return "save";
        case Operation::Load: return "read";
        case Operation::Remove: return "remove";
    }
    return "use";
}

CFPtr<CFStringRef> cf_string(const std::string& utf8) {
    CFStringRef string = CFStringCreateWithBytes(
        kCFAllocatorDefault, reinterpret_cast<const UInt8*>(utf8.data()),
        static_cast<CFIndex>(utf8.size()), kCFStringEncodingUTF8, false);
    if (string == nullptr) {
        throw Error(ErrorCategory::BadInput,
                    "The account name or credential kind contains characters that are not valid "
                    "text, so the Keychain cannot hold it.",
                    "keychain: CFStringCreateWithBytes rejected a key field (not UTF-8?)");
    }
    return CFPtr<CFStringRef>(string);
}

std::string utf8_of(CFStringRef string) {
    if (string == nullptr) return {};
    if (const char* direct = CFStringGetCStringPtr(string, kCFStringEncodingUTF8)) return direct;
    const CFIndex capacity =
        CFStringGetMaximumSizeForEncoding(CFStringGetLength(string), kCFStringEncodingUTF8) + 1;
    std::string out(static_cast<std::size_t>(capacity), '\0');
    if (!CFStringGetCString(string, out.data(), capacity, kCFStringEncodingUTF8)) return {};
    out.resize(std::strlen(out.c_str()));
    return out;
}

Error to_error(OSStatus status, const char* call, Operation op, const CredentialKey& key) {
    const CFPtr<CFStringRef> text(SecCopyErrorMessageString(status, nullptr));
    std::string detail = std::string(call) + " 'Tern' / '" + path_of(key) + "': OSStatus " +
                         std::to_string(status) + ": " + utf8_of(text.get());
    const std::string what = "the " + key.kind + " for " + key.account;
    const std::string action = std::string(verb(op)) + " " + what;

    switch (status) {
        case errSecUserCanceled:
            return Error(ErrorCategory::Cancelled,
                         "The Keychain request was cancelled, so Tern could not " + action +
                             ". Try again and allow access when macOS asks.",
                         std::move(detail));
        case errSecAuthFailed:
            return Error(ErrorCategory::Storage,
                         "macOS did not let Tern " + action +
                             ": access was denied or the keychain password was not accepted. Try "
                             "again and allow access; if the login keychain's password no longer "
                             "matches your Mac password, fix it in Keychain Access.",
                         std::move(detail));
        case errSecInteractionNotAllowed:
            return Error(ErrorCategory::Storage,
                         "The keychain is locked and macOS cannot ask for its password right now "
                         "(for example in an SSH session), so Tern could not " + action +
                             ". Unlock it in Keychain Access or with `security unlock-keychain`, "
                             "then try again.",
                         std::move(detail));
        case errSecNoSuchKeychain:
        case errSecNoDefaultKeychain:
        case errSecNotAvailable:
            return Error(ErrorCategory::Storage,
                         "No keychain is available, so Tern could not " + action +
                             ". Open Keychain Access and make sure a login keychain exists (it "
                             "can create a new default keychain), then try again.",
                         std::move(detail));
        default:
            return Error(ErrorCategory::Storage,
                         "The macOS Keychain could not " + action + " (OSStatus " +
                             std::to_string(status) +
                             "). Try again; if it keeps failing, check the item \"Tern\" for " +
                             key.account + " in Keychain Access.",
                         std::move(detail));
    }
}

// The dictionary that names one item: class, service and account.
CFPtr<CFMutableDictionaryRef> item_query(CFStringRef service, CFStringRef account) {
    CFPtr<CFMutableDictionaryRef> query(CFDictionaryCreateMutable(
        kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
    if (!query) throw std::bad_alloc();
    CFDictionarySetValue(query.get(), kSecClass, kSecClassGenericPassword);
    CFDictionarySetValue(query.get(), kSecAttrService, service);
    CFDictionarySetValue(query.get(), kSecAttrAccount, account);
    return query;
}

class KeychainCredentialStore final : public CredentialStore {
public:
    void store(const CredentialKey& key, const Secret& secret) override {
        validate(key);
        const auto service = cf_string("Tern");
        const auto account = cf_string(path_of(key));
        const auto label = cf_string(key.label());
        const std::string_view plain = secret.reveal();
        const CFPtr<CFDataRef> data(CFDataCreate(kCFAllocatorDefault,
                                                 reinterpret_cast<const UInt8*>(plain.data()),
                                                 static_cast<CFIndex>(plain.size())));
        if (!data) throw std::bad_alloc();

        auto item = item_query(service.get(), account.get());
        CFDictionarySetValue(item.get(), kSecAttrLabel, label.get());
        CFDictionarySetValue(item.get(), kSecValueData, data.get());
        OSStatus status = SecItemAdd(item.get(), nullptr);
        const char* call = "SecItemAdd";
        if (status == errSecDuplicateItem) {
            const auto query = item_query(service.get(), account.get());
            const CFPtr<CFMutableDictionaryRef> changes(
                CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks,
                                          &kCFTypeDictionaryValueCallBacks));
            if (!changes) throw std::bad_alloc();
            CFDictionarySetValue(changes.get(), kSecAttrLabel, label.get());
            CFDictionarySetValue(changes.get(), kSecValueData, data.get());
            status = SecItemUpdate(query.get(), changes.get());
            call = "SecItemUpdate";
        }
        if (status != errSecSuccess) throw to_error(status, call, Operation::Store, key);
    }

    std::optional<Secret> load(const CredentialKey& key) override {
        validate(key);
        const auto service = cf_string("Tern");
        const auto account = cf_string(path_of(key));
        auto query = item_query(service.get(), account.get());
        CFDictionarySetValue(query.get(), kSecReturnData, kCFBooleanTrue);
        CFDictionarySetValue(query.get(), kSecMatchLimit, kSecMatchLimitOne);

        CFTypeRef result = nullptr;
        const OSStatus status = SecItemCopyMatching(query.get(), &result);
        if (status == errSecItemNotFound) return std::nullopt;
        if (status != errSecSuccess)
            throw to_error(status, "SecItemCopyMatching", Operation::Load, key);
        const CFPtr<CFTypeRef> owned(result);
        if (result == nullptr || CFGetTypeID(result) != CFDataGetTypeID()) {
            throw Error(ErrorCategory::Internal, "",
                        "keychain: SecItemCopyMatching returned no data for '" + path_of(key) + "'");
        }
        const auto data = static_cast<CFDataRef>(result);
        return Secret(std::string(reinterpret_cast<const char*>(CFDataGetBytePtr(data)),
                                  static_cast<std::size_t>(CFDataGetLength(data))));
    }

    bool remove(const CredentialKey& key) override {
        validate(key);
        const auto service = cf_string("Tern");
        const auto account = cf_string(path_of(key));
        const auto query = item_query(service.get(), account.get());
        const OSStatus status = SecItemDelete(query.get());
        if (status == errSecItemNotFound) return false;
        if (status != errSecSuccess) throw to_error(status, "SecItemDelete", Operation::Remove, key);
        return true;
    }

    std::string backend_name() const override { return "macOS Keychain"; }
};

}  // namespace

std::unique_ptr<CredentialStore> make_keychain_credential_store() {
    return std::make_unique<KeychainCredentialStore>();
}

}  // namespace tern::auth

#endif  // __APPLE__
