// The libsecret CredentialStore when no keyring can be reached: it must say so, with the fix, and
// never fall back to anything else. Each case points the session bus somewhere before the first
// libsecret call; CMake runs each case in its own process because glib and libsecret keep the
// first bus connection they make for the life of the process.
#include "child_process.hpp"

#include "tern/auth/credential_store.hpp"
#include "tern/core/error.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <system_error>
#include <string>

using tern::Error;
using tern::ErrorCategory;
using tern::Secret;
using tern::auth::CredentialKey;

namespace {

const CredentialKey key{"p-unreachable", "alice@example.com", "password"};
const char* const secret_text = "must-not-leak-4711";

// Removed at the end of the test, after any child process declared later has been stopped.
struct TempDir {
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "tern-nokeyring.XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    std::filesystem::path path;
};

// Only this test's own variables: libsecret must go to the bus, not to a file backend.
void isolate_environment() {
    unsetenv("SECRET_BACKEND");
    unsetenv("DISPLAY");
    unsetenv("WAYLAND_DISPLAY");
}

Error error_from(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e;
    }
    FAIL("the keyring operation succeeded although no keyring is reachable");
    throw std::logic_error("unreachable");
}

void check_unreachable_error(const Error& e) {
    INFO(e.log_line());
    CHECK(e.category() == ErrorCategory::Storage);
    CHECK_THAT(e.message(), Catch::Contains("keyring") && Catch::Contains("none is reachable"));
    CHECK_THAT(e.message(), Catch::Contains("gnome-keyring-daemon --start --components=secrets"));
    CHECK_THAT(e.message(), Catch::Contains("dbus-run-session"));
    CHECK_THAT(e.detail(), Catch::Contains("libsecret") && Catch::Contains(key.label()));
    CHECK_THAT(e.log_line(), !Catch::Contains(secret_text));
}

void check_every_operation_fails_as_unreachable() {
    auto store = tern::auth::make_system_credential_store();
    check_unreachable_error(error_from([&] { store->store(key, Secret(secret_text)); }));
    check_unreachable_error(error_from([&] { store->load(key); }));
    check_unreachable_error(error_from([&] { store->remove(key); }));
}

}  // namespace

TEST_CASE("no keyring: the session bus address leads to no socket", "[no-bus]") {
    isolate_environment();
    const TempDir dir;
    const std::string address = "unix:path=" + (dir.path / "no-such-socket").string();
    setenv("DBUS_SESSION_BUS_ADDRESS", address.c_str(), 1);

    check_every_operation_fails_as_unreachable();
}

TEST_CASE("no keyring: no session bus address and nothing to autolaunch", "[no-address]") {
    isolate_environment();
    const TempDir dir;
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    setenv("XDG_RUNTIME_DIR", dir.path.c_str(), 1);  // an empty one: no $XDG_RUNTIME_DIR/bus

    check_every_operation_fails_as_unreachable();
}

TEST_CASE("no keyring: a session bus where nobody provides org.freedesktop.secrets",
          "[no-service]") {
    isolate_environment();
    const TempDir dir;
    // A bus with no service directories, so that nothing can be activated as the keyring.
    const auto config = dir.path / "bus.conf";
    std::ofstream(config) << R"(<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=)" << dir.path.string() << R"(</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
)";
    tern::test::ChildProcess bus(
        {"dbus-daemon", "--config-file=" + config.string(), "--nofork", "--print-address=1"});
    const std::string address = bus.read_line();
    REQUIRE_THAT(address, Catch::StartsWith("unix:"));
    setenv("DBUS_SESSION_BUS_ADDRESS", address.c_str(), 1);

    auto store = tern::auth::make_system_credential_store();
    const Error e = error_from([&] { store->store(key, Secret(secret_text)); });
    check_unreachable_error(e);
    CHECK_THAT(e.detail(), Catch::Contains("org.freedesktop.secrets"));
    check_unreachable_error(error_from([&] { store->load(key); }));
    check_unreachable_error(error_from([&] { store->remove(key); }));
}
