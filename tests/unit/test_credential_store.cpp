// The CredentialStore contract on the in-memory store, key validation, labels and item names.
#include "tern/auth/memory_credential_store.hpp"
#include "tern/core/error.hpp"

// White-box: the item name the Windows and macOS stores use, which cannot run on this machine.
#include "../../auth/src/platform_credential_stores.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <string>

using tern::Error;
using tern::ErrorCategory;
using tern::Secret;
using tern::auth::CredentialKey;
using tern::auth::MemoryCredentialStore;

namespace {

CredentialKey key(std::string profile, std::string account, std::string kind) {
    return CredentialKey{std::move(profile), std::move(account), std::move(kind)};
}

ErrorCategory category_thrown_by(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e.category();
    }
    FAIL("no tern::Error was thrown");
    return ErrorCategory::Internal;
}

}  // namespace

TEST_CASE("memory store: store, load, replace, remove", "[credential_store]") {
    MemoryCredentialStore store;
    const auto alice = key("default", "alice@example.com", "password");

    CHECK_FALSE(store.load(alice).has_value());

    store.store(alice, Secret("first"));
    REQUIRE(store.load(alice).has_value());
    CHECK(store.load(alice)->reveal() == "first");

    store.store(alice, Secret("second"));
    CHECK(store.load(alice)->reveal() == "second");

    CHECK(store.remove(alice));
    CHECK_FALSE(store.load(alice).has_value());
    CHECK_FALSE(store.remove(alice));
}

TEST_CASE("memory store: profile, account and kind each separate secrets", "[credential_store]") {
    MemoryCredentialStore store;
    const auto base = key("default", "alice@example.com", "password");
    const auto other_profile = key("test", "alice@example.com", "password");
    const auto other_account = key("default", "bob@example.com", "password");
    const auto other_kind = key("default", "alice@example.com", "refresh-token");

    store.store(base, Secret("base"));
    CHECK_FALSE(store.load(other_profile).has_value());
    CHECK_FALSE(store.load(other_account).has_value());
    CHECK_FALSE(store.load(other_kind).has_value());

    store.store(other_profile, Secret("profile"));
    store.store(other_account, Secret("account"));
    store.store(other_kind, Secret("kind"));
    CHECK(store.load(base)->reveal() == "base");
    CHECK(store.load(other_profile)->reveal() == "profile");
    CHECK(store.load(other_account)->reveal() == "account");
    CHECK(store.load(other_kind)->reveal() == "kind");

    CHECK(store.remove(other_profile));
    CHECK(store.load(base)->reveal() == "base");
}

TEST_CASE("memory store: fields are not concatenated into one key", "[credential_store]") {
    // "a/b" + "c" must not collide with "a" + "b/c", whatever a backend does with separators.
    MemoryCredentialStore store;
    store.store(key("p", "a/b", "c"), Secret("one"));
    CHECK_FALSE(store.load(key("p", "a", "b/c")).has_value());
}

TEST_CASE("memory store: a loaded secret is a copy", "[credential_store]") {
    MemoryCredentialStore store;
    const auto alice = key("default", "alice@example.com", "password");
    store.store(alice, Secret("kept"));
    {
        auto loaded = store.load(alice);
        *loaded = Secret("changed by the caller");
    }
    CHECK(store.load(alice)->reveal() == "kept");
}

TEST_CASE("validate rejects a key with an empty field", "[credential_store]") {
    MemoryCredentialStore store;
    const auto empty_profile = key("", "alice@example.com", "password");
    const auto empty_account = key("default", "", "password");
    const auto empty_kind = key("default", "alice@example.com", "");

    for (const auto& bad : {empty_profile, empty_account, empty_kind}) {
        CHECK(category_thrown_by([&] { tern::auth::validate(bad); }) == ErrorCategory::BadInput);
        CHECK(category_thrown_by([&] { store.store(bad, Secret("x")); }) == ErrorCategory::BadInput);
        CHECK(category_thrown_by([&] { store.load(bad); }) == ErrorCategory::BadInput);
        CHECK(category_thrown_by([&] { store.remove(bad); }) == ErrorCategory::BadInput);
    }
    CHECK_NOTHROW(tern::auth::validate(key("default", "alice@example.com", "password")));
}

TEST_CASE("validate names the missing fields in its message", "[credential_store]") {
    try {
        tern::auth::validate(key("", "alice@example.com", ""));
        FAIL("validate accepted an empty profile and kind");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::BadInput);
        CHECK_THAT(e.message(), Catch::Contains("(missing: profile, kind)"));
    }
}

TEST_CASE("label names the kind and the account", "[credential_store]") {
    CHECK(key("default", "alice@example.com", "refresh-token").label() ==
          "Tern refresh-token for alice@example.com");
    CHECK(key("work", "relay", "relay-password").label() == "Tern relay-password for relay");
}

TEST_CASE("path_of names an item for the Windows and macOS stores", "[credential_store]") {
    using tern::auth::path_of;
    CHECK(path_of(key("default", "alice@example.com", "password")) ==
          "default/alice@example.com/password");
    // Separators inside fields are escaped, so different keys never share a name.
    CHECK(path_of(key("p", "a/b", "c")) == "p/a%2Fb/c");
    CHECK(path_of(key("p", "a", "b/c")) == "p/a/b%2Fc");
    CHECK(path_of(key("p", "a%2Fb", "c")) == "p/a%252Fb/c");
    CHECK(path_of(key("p", "a%2Fb", "c")) != path_of(key("p", "a/b", "c")));
}
