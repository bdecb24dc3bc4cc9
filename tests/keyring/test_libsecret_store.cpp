// The libsecret CredentialStore against a real GNOME Keyring. Run through tests/env/with-keyring,
// which gives this process a private D-Bus session and a throwaway, unlocked keyring.
#include "child_process.hpp"

#include "tern/auth/credential_store.hpp"
#include "tern/core/error.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

using tern::Error;
using tern::ErrorCategory;
using tern::Secret;
using tern::auth::CredentialKey;
using tern::auth::CredentialStore;
using tern::test::run;

namespace {

// These tests write to whatever keyring the session bus leads to: refuse the person's own.
std::unique_ptr<CredentialStore> private_keyring_store() {
    if (std::getenv("TERN_TEST_PRIVATE_KEYRING") == nullptr)
        FAIL("these tests write to the keyring: run them through tests/env/with-keyring");
    return tern::auth::make_system_credential_store();
}

std::string secret_tool_lookup(const CredentialKey& key, int* exit_code = nullptr) {
    auto result = run({"secret-tool", "lookup", "tern-profile", key.profile_id, "tern-account",
                       key.account, "tern-kind", key.kind});
    if (exit_code) *exit_code = result.exit_code;
    return result.out;
}

}  // namespace

TEST_CASE("libsecret: store, load, replace, remove", "[keyring]") {
    auto store = private_keyring_store();
    CHECK(store->backend_name().find("libsecret") != std::string::npos);
    const CredentialKey key{"p-basic", "alice@example.com", "password"};

    store->store(key, Secret("correct horse battery staple"));
    auto loaded = store->load(key);
    REQUIRE(loaded.has_value());
    CHECK(loaded->reveal() == "correct horse battery staple");

    store->store(key, Secret("replaced"));
    CHECK(store->load(key)->reveal() == "replaced");

    CHECK(store->remove(key));
    CHECK_FALSE(store->load(key).has_value());
    CHECK_FALSE(store->remove(key));
}

TEST_CASE("libsecret: a key never stored loads as nothing", "[keyring]") {
    auto store = private_keyring_store();
    CHECK_FALSE(store->load({"p-missing", "nobody@example.com", "password"}).has_value());
    CHECK_FALSE(store->remove({"p-missing", "nobody@example.com", "password"}));
}

TEST_CASE("libsecret: replacing keeps one item, not two", "[keyring]") {
    auto store = private_keyring_store();
    const CredentialKey key{"p-replace", "alice@example.com", "refresh-token"};
    store->store(key, Secret("one"));
    store->store(key, Secret("two"));
    const auto listed = run({"secret-tool", "search", "--all", "tern-profile", key.profile_id},
                            tern::test::Stderr::ToStdout);
    CHECK(listed.exit_code == 0);
    std::size_t items = 0;
    for (auto at = listed.out.find("\nlabel = "); at != std::string::npos;
         at = listed.out.find("\nlabel = ", at + 1))
        ++items;
    CHECK(items == 1);
    CHECK(store->remove(key));
}

TEST_CASE("libsecret: unicode, binary and long secrets come back byte for byte", "[keyring]") {
    auto store = private_keyring_store();

    SECTION("unicode secret and account") {
        const CredentialKey key{"p-unicode", "zoë.müller@exämple.org", "password"};
        const Secret secret("pässwörd ✓ 密码 🔑 \"quoted\" \\ tab\tand\nnewline");
        store->store(key, secret);
        CHECK(store->load(key) == secret);
        CHECK(store->remove(key));
    }
    SECTION("bytes including NUL") {
        const CredentialKey key{"p-binary", "alice@example.com", "password"};
        const Secret secret(std::string("before\0after", 12));
        store->store(key, secret);
        auto loaded = store->load(key);
        REQUIRE(loaded.has_value());
        CHECK(loaded->reveal().size() == 12);
        CHECK(*loaded == secret);
        CHECK(store->remove(key));
    }
    SECTION("a 64 KiB token") {
        const CredentialKey key{"p-long", "alice@example.com", "refresh-token"};
        std::string token;
        unsigned state = 12345;
        const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
        for (int i = 0; i < 64 * 1024; ++i) {
            state = state * 1103515245u + 12345u;
            token += alphabet[(state >> 16) % (sizeof alphabet - 1)];
        }
        const Secret secret(token);
        store->store(key, secret);
        CHECK(store->load(key) == secret);
        CHECK(store->remove(key));
    }
}

TEST_CASE("libsecret: profiles, accounts and kinds do not see each other's secrets", "[keyring]") {
    auto store = private_keyring_store();
    const CredentialKey work{"p-work", "alice@example.com", "password"};
    const CredentialKey test{"p-test", "alice@example.com", "password"};
    const CredentialKey other_kind{"p-work", "alice@example.com", "refresh-token"};
    const CredentialKey other_account{"p-work", "bob@example.com", "password"};

    store->store(work, Secret("work secret"));
    CHECK_FALSE(store->load(test).has_value());
    CHECK_FALSE(store->load(other_kind).has_value());
    CHECK_FALSE(store->load(other_account).has_value());
    CHECK_FALSE(store->remove(test));

    store->store(test, Secret("test secret"));
    CHECK(store->load(work)->reveal() == "work secret");
    CHECK(store->load(test)->reveal() == "test secret");

    CHECK(store->remove(test));
    CHECK(store->load(work)->reveal() == "work secret");
    CHECK(store->remove(work));
}

TEST_CASE("libsecret: the secret really is in the keyring, with Tern's schema and label",
          "[keyring]") {
    auto store = private_keyring_store();
    const CredentialKey key{"p-tool", "alice@example.com", "relay-password"};
    store->store(key, Secret("seen by secret-tool"));

    int exit_code = -1;
    CHECK(secret_tool_lookup(key, &exit_code) == "seen by secret-tool");
    CHECK(exit_code == 0);

    // secret-tool prints the attributes on stderr.
    const auto found = run({"secret-tool", "search", "tern-profile", key.profile_id,
                            "tern-account", key.account, "tern-kind", key.kind},
                           tern::test::Stderr::ToStdout);
    CHECK(found.exit_code == 0);
    CHECK_THAT(found.out, Catch::Contains("label = Tern relay-password for alice@example.com"));
    CHECK_THAT(found.out, Catch::Contains("schema = org.tern.Credential"));
    CHECK_THAT(found.out, Catch::Contains("attribute.tern-profile = p-tool"));

    CHECK(store->remove(key));
    CHECK(secret_tool_lookup(key, &exit_code).empty());
    CHECK(exit_code != 0);
}

TEST_CASE("libsecret: an item of another schema with the same attributes is not Tern's",
          "[keyring]") {
    auto store = private_keyring_store();
    const CredentialKey key{"p-foreign", "alice@example.com", "password"};
    // secret-tool stores without Tern's schema name: it must not be mistaken for Tern's secret.
    // Its stdin is this process's, so feed it through a shell here-string.
    const auto stored = run({"sh", "-c",
                             "printf %s foreign | secret-tool store --label=foreign "
                             "tern-profile p-foreign tern-account alice@example.com "
                             "tern-kind password"});
    REQUIRE(stored.exit_code == 0);
    CHECK_FALSE(store->load(key).has_value());
    store->store(key, Secret("tern's own"));
    CHECK(store->load(key)->reveal() == "tern's own");
    CHECK(store->remove(key));
}

TEST_CASE("libsecret: invalid keys are refused before reaching the keyring", "[keyring]") {
    auto store = private_keyring_store();
    auto category_of = [](auto&& action) {
        try {
            action();
        } catch (const Error& e) {
            return e.category();
        }
        return ErrorCategory::Internal;  // "nothing thrown": fails the checks below
    };
    const CredentialKey empty_kind{"p-bad", "alice@example.com", ""};
    const CredentialKey not_utf8{"p-bad", "alice\xff@example.com", "password"};
    CHECK(category_of([&] { store->store(empty_kind, Secret("x")); }) == ErrorCategory::BadInput);
    CHECK(category_of([&] { store->store(not_utf8, Secret("x")); }) == ErrorCategory::BadInput);
    CHECK(category_of([&] { store->load(not_utf8); }) == ErrorCategory::BadInput);
    CHECK(category_of([&] { store->remove(not_utf8); }) == ErrorCategory::BadInput);
}

// Hidden from the default run: it leaves the keyring locked (unlocking needs a prompt), so CMake
// runs it alone in a keyring of its own. Without a display the unlock prompt fails at once, which
// libsecret reports like a dismissed prompt.
TEST_CASE("libsecret: a keyring that stays locked is reported as cancelled, not as empty",
          "[keyring][.locked]") {
    auto store = private_keyring_store();
    const CredentialKey stored{"p-locked", "alice@example.com", "password"};
    store->store(stored, Secret("stored while unlocked"));

    const auto alias = run({"dbus-send", "--session", "--print-reply=literal",
                            "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets",
                            "org.freedesktop.Secret.Service.ReadAlias", "string:default"});
    REQUIRE(alias.exit_code == 0);
    std::string collection;
    for (char c : alias.out)
        if (c != ' ' && c != '\n') collection += c;
    REQUIRE_THAT(collection, Catch::StartsWith("/org/freedesktop/secrets/collection/"));
    const auto locked = run({"dbus-send", "--session", "--print-reply=literal",
                             "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets",
                             "org.freedesktop.Secret.Service.Lock", "array:objpath:" + collection});
    REQUIRE(locked.exit_code == 0);

    auto error_of = [](auto&& action) -> Error {
        try {
            action();
        } catch (const Error& e) {
            return e;
        }
        FAIL("the operation succeeded on a locked keyring");
        throw std::logic_error("unreachable");
    };
    const Error on_load = error_of([&] { store->load(stored); });
    CHECK(on_load.category() == ErrorCategory::Cancelled);
    CHECK_THAT(on_load.message(), Catch::Contains("locked") && Catch::Contains("Unlock"));

    const Error on_store =
        error_of([&] { store->store({"p-locked", "bob@example.com", "password"}, Secret("x")); });
    CHECK(on_store.category() == ErrorCategory::Cancelled);
    CHECK_THAT(on_store.message(), Catch::Contains("locked") && Catch::Contains("Unlock"));

    // libsecret's clear skips locked items silently: "nothing removed" would be a lie here.
    const Error on_remove = error_of([&] { store->remove(stored); });
    CHECK(on_remove.category() == ErrorCategory::Cancelled);

    // Nothing matches a key never stored, locked or not.
    CHECK_FALSE(store->load({"p-locked", "nobody@example.com", "password"}).has_value());
    CHECK_FALSE(store->remove({"p-locked", "nobody@example.com", "password"}));
}
