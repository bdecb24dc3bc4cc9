// CredentialStore on the freedesktop Secret Service (GNOME Keyring, KWallet, KeePassXC) through
// libsecret. There is deliberately no fallback: without a keyring Tern refuses to keep secrets
// rather than write them to a file.
#include "platform_credential_stores.hpp"

#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>

// glib's and libsecret's macros are C: keep their casts out of our warnings.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <libsecret/secret.h>
#pragma GCC diagnostic pop

#include <memory>
#include <string>

namespace tern::auth {
namespace {

// Attribute names are part of Tern's on-disk contract: changing them orphans stored secrets.
constexpr const char* schema_name = "org.tern.Credential";
constexpr const char* profile_attribute = "tern-profile";
constexpr const char* account_attribute = "tern-account";
constexpr const char* kind_attribute = "tern-kind";

const SecretSchema* credential_schema() {
    static const SecretSchema schema = [] {
        SecretSchema s{};
        s.name = schema_name;
        s.flags = SECRET_SCHEMA_NONE;
        s.attributes[0] = {profile_attribute, SECRET_SCHEMA_ATTRIBUTE_STRING};
        s.attributes[1] = {account_attribute, SECRET_SCHEMA_ATTRIBUTE_STRING};
        s.attributes[2] = {kind_attribute, SECRET_SCHEMA_ATTRIBUTE_STRING};
        return s;  // attributes[3] stays zeroed: the terminator libsecret looks for
    }();
    return &schema;
}

struct GErrorFree {
    void operator()(GError* e) const { g_error_free(e); }
};
using ErrorPtr = std::unique_ptr<GError, GErrorFree>;

struct HashTableUnref {
    void operator()(GHashTable* t) const { g_hash_table_unref(t); }
};
using AttributesPtr = std::unique_ptr<GHashTable, HashTableUnref>;

// secret_value_unref lets libsecret wipe its non-pageable copy of the secret.
struct SecretValueUnref {
    void operator()(SecretValue* v) const { secret_value_unref(v); }
};
using SecretValuePtr = std::unique_ptr<SecretValue, SecretValueUnref>;

enum class Operation { Store, Load, Remove };

const char* verb(Operation op) {
    switch (op) {
        case Operation::Store: return "save";
        case Operation::Load: return "read";
        case Operation::Remove: return "remove";
    }
    return "use";
}

// D-Bus strings must be UTF-8; glib would reject anything else with a critical warning instead
// of an error, so check first.
void require_utf8(const CredentialKey& key) {
    for (const std::string* field : {&key.profile_id, &key.account, &key.kind}) {
        if (!g_utf8_validate(field->data(), static_cast<gssize>(field->size()), nullptr)) {
            throw Error(ErrorCategory::BadInput,
                        "The account name or credential kind contains characters that are not "
                        "valid text, so the keyring cannot hold it.",
                        "libsecret: CredentialKey field is not valid UTF-8");
        }
    }
}

// The attributes point into `key`, which must outlive the table.
AttributesPtr attributes_of(const CredentialKey& key) {
    AttributesPtr attributes(g_hash_table_new(g_str_hash, g_str_equal));
    g_hash_table_insert(attributes.get(), const_cast<char*>(profile_attribute),
                        const_cast<char*>(key.profile_id.c_str()));
    g_hash_table_insert(attributes.get(), const_cast<char*>(account_attribute),
                        const_cast<char*>(key.account.c_str()));
    g_hash_table_insert(attributes.get(), const_cast<char*>(kind_attribute),
                        const_cast<char*>(key.kind.c_str()));
    return attributes;
}

// No session bus, nothing owning org.freedesktop.secrets, or a service that could not start.
bool service_unreachable(const GError& e) {
    if (e.domain == G_IO_ERROR) {
        // Transport failures (socket missing, refused, no autolaunch without X11); a remote
        // error the service sent back is not one.
        return e.code != G_IO_ERROR_CANCELLED && e.code != G_IO_ERROR_TIMED_OUT &&
               e.code != G_IO_ERROR_DBUS_ERROR;
    }
    if (e.domain != G_DBUS_ERROR) return false;
    switch (e.code) {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_NO_SERVER:
        case G_DBUS_ERROR_DISCONNECTED:
        case G_DBUS_ERROR_BAD_ADDRESS:
        case G_DBUS_ERROR_NO_NETWORK:
        case G_DBUS_ERROR_FILE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
        case G_DBUS_ERROR_SPAWN_FORK_FAILED:
        case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
        case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
        case G_DBUS_ERROR_SPAWN_FAILED:
        case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
        case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
        case G_DBUS_ERROR_SPAWN_FILE_INVALID:
        case G_DBUS_ERROR_SPAWN_NO_MEMORY:
            return true;
        default:
            return false;
    }
}

bool timed_out(const GError& e) {
    return g_error_matches(&e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
           g_error_matches(&e, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
           g_error_matches(&e, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
           g_error_matches(&e, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY);
}

// libsecret asks the service to unlock a locked collection itself; IS_LOCKED after that means
// the person dismissed the prompt (or no prompt could be shown).
bool not_unlocked(const GError& e) {
    return g_error_matches(&e, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
           g_error_matches(&e, SECRET_ERROR, SECRET_ERROR_IS_LOCKED);
}

std::string context_of(Operation op, const CredentialKey& key) {
    return std::string("libsecret ") + verb(op) + " '" + key.label() + "' (profile " +
           key.profile_id + ")";
}

Error locked_error(Operation op, const CredentialKey& key, std::string detail) {
    return Error(ErrorCategory::Cancelled,
                 "The keyring stayed locked, so Tern could not " + std::string(verb(op)) + " the " +
                     key.kind + " for " + key.account +
                     ". Unlock the keyring when your desktop asks for its password (or in your "
                     "keyring manager, such as Passwords and Keys or KWalletManager), then try "
                     "again.",
                 std::move(detail));
}

Error to_error(const GError& e, Operation op, const CredentialKey& key) {
    std::string detail = context_of(op, key) + ": " + g_quark_to_string(e.domain) + " " +
                         std::to_string(e.code) + ": " + (e.message ? e.message : "");
    const std::string what = "the " + key.kind + " for " + key.account;

    if (not_unlocked(e)) return locked_error(op, key, std::move(detail));
    if (service_unreachable(e)) {
        return Error(ErrorCategory::Storage,
                     "Tern keeps passwords and sign-in tokens in the system keyring (Secret Service), "
                     "and none is reachable. Log in to a desktop session with GNOME Keyring or "
                     "KWallet running, or start one: `gnome-keyring-daemon --start "
                     "--components=secrets` (on a machine without a desktop, inside "
                     "`dbus-run-session`).",
                     std::move(detail));
    }
    if (timed_out(e)) {
        return Error(ErrorCategory::Storage,
                     "The system keyring did not answer in time, so Tern could not " +
                         std::string(verb(op)) + " " + what +
                         ". Try again; if it keeps happening, restart GNOME Keyring or KWallet "
                         "(logging out and back in does that).",
                     std::move(detail));
    }
    if (g_error_matches(&e, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
        g_error_matches(&e, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED)) {
        return Error(ErrorCategory::Storage,
                     "The system keyring refused to let Tern " + std::string(verb(op)) + " " + what +
                         ". Check the keyring's access settings, or restart it by logging out and "
                         "back in.",
                     std::move(detail));
    }
    return Error(ErrorCategory::Storage,
                 "The system keyring failed to " + std::string(verb(op)) + " " + what +
                     ". Try again; if it keeps failing, restart GNOME Keyring or KWallet (logging "
                     "out and back in does that). The log has the keyring's own error text.",
                 std::move(detail));
}

// A call that returned failure without setting an error breaks libsecret's contract.
Error missing_error(Operation op, const CredentialKey& key) {
    return Error(ErrorCategory::Internal, "",
                 context_of(op, key) + ": failed without reporting an error");
}

class LibsecretCredentialStore final : public CredentialStore {
public:
    void store(const CredentialKey& key, const Secret& secret) override {
        check(key);
        const std::string_view plain = secret.reveal();
        // An explicit length: no terminator needed, NULs survive, and libsecret copies the
        // secret straight into its own wiped, non-pageable memory.
        SecretValuePtr value(
            secret_value_new(plain.data(), static_cast<gssize>(plain.size()), "text/plain"));
        const AttributesPtr attributes = attributes_of(key);
        const std::string label = key.label();
        GError* raw = nullptr;
        const gboolean ok = secret_password_storev_binary_sync(
            credential_schema(), attributes.get(), SECRET_COLLECTION_DEFAULT, label.c_str(),
            value.get(), nullptr, &raw);
        ErrorPtr error(raw);
        if (error) throw to_error(*error, Operation::Store, key);
        if (!ok) throw missing_error(Operation::Store, key);
        spdlog::debug("libsecret: stored '{}' (profile {})", label, key.profile_id);
    }

    std::optional<Secret> load(const CredentialKey& key) override {
        check(key);
        const AttributesPtr attributes = attributes_of(key);
        GError* raw = nullptr;
        SecretValuePtr value(secret_password_lookupv_binary_sync(credential_schema(),
                                                                 attributes.get(), nullptr, &raw));
        ErrorPtr error(raw);
        if (error) throw to_error(*error, Operation::Load, key);
        if (!value) {
            // A lookup whose unlock prompt was dismissed also comes back empty: tell it apart from
            // "never stored", or Tern would ask for a password it already has.
            if (any_item(key, attributes.get(), SECRET_SEARCH_NONE, Operation::Load))
                throw locked_error(Operation::Load, key,
                                   context_of(Operation::Load, key) + ": item found but locked");
            return std::nullopt;
        }
        gsize length = 0;
        const gchar* data = secret_value_get(value.get(), &length);
        return Secret(std::string(data, length));
    }

    bool remove(const CredentialKey& key) override {
        check(key);
        const AttributesPtr attributes = attributes_of(key);
        if (clear(key, attributes.get())) return true;
        // clear skips items in a locked collection without asking to unlock it: search with
        // unlocking (which prompts), then try once more.
        if (!any_item(key, attributes.get(), SECRET_SEARCH_UNLOCK, Operation::Remove)) return false;
        if (clear(key, attributes.get())) return true;
        throw locked_error(Operation::Remove, key,
                           context_of(Operation::Remove, key) + ": item found but locked");
    }

    std::string backend_name() const override { return "libsecret (Secret Service)"; }

private:
    // FALSE without an error means there was nothing (unlocked) to remove.
    static bool clear(const CredentialKey& key, GHashTable* attributes) {
        GError* raw = nullptr;
        const gboolean removed =
            secret_password_clearv_sync(credential_schema(), attributes, nullptr, &raw);
        ErrorPtr error(raw);
        if (error) throw to_error(*error, Operation::Remove, key);
        if (removed) spdlog::debug("libsecret: removed '{}' (profile {})", key.label(), key.profile_id);
        return removed != FALSE;
    }

    // Whether an item exists, locked or not; with SECRET_SEARCH_UNLOCK, asks to unlock it.
    static bool any_item(const CredentialKey& key, GHashTable* attributes, SecretSearchFlags flags,
                         Operation op) {
        GError* raw = nullptr;
        GList* items =
            secret_password_searchv_sync(credential_schema(), attributes, flags, nullptr, &raw);
        ErrorPtr error(raw);
        if (error) throw to_error(*error, op, key);
        const bool found = items != nullptr;
        g_list_free_full(items, g_object_unref);
        return found;
    }

    static void check(const CredentialKey& key) {
        validate(key);
        require_utf8(key);
    }
};

}  // namespace

std::unique_ptr<CredentialStore> make_libsecret_credential_store() {
    return std::make_unique<LibsecretCredentialStore>();
}

}  // namespace tern::auth
