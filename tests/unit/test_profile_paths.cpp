#include "tern/core/error.hpp"
#include "tern/core/profile_paths.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace tern;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}
}  // namespace

TEST_CASE("Linux uses XDG_DATA_HOME, then ~/.local/share", "[profile-paths]") {
    CHECK(default_profile_dir(Platform::Linux, env_of({{"HOME", "/home/a"}})) == "/home/a/.local/share/tern");
    CHECK(default_profile_dir(Platform::Linux, env_of({{"HOME", "/home/a"}, {"XDG_DATA_HOME", "/data"}})) ==
          "/data/tern");
    // The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
    CHECK(default_profile_dir(Platform::Linux, env_of({{"HOME", "/home/a"}, {"XDG_DATA_HOME", "rel"}})) ==
          "/home/a/.local/share/tern");
}

TEST_CASE("Windows uses %APPDATA%\\Tern and macOS Application Support", "[profile-paths]") {
    CHECK(default_profile_dir(Platform::Windows, env_of({{"APPDATA", "/c/Users/a/AppData/Roaming"}})) ==
          std::filesystem::path("/c/Users/a/AppData/Roaming") / "Tern");
    CHECK(default_profile_dir(Platform::MacOS, env_of({{"HOME", "/Users/a"}})) ==
          "/Users/a/Library/Application Support/Tern");
}

TEST_CASE("the --home option wins over TERN_HOME, which wins over the default", "[profile-paths]") {
    auto env = env_of({{"HOME", "/home/a"}, {"TERN_HOME", "/tern-home"}});
    CHECK(resolve_profile_dir(std::filesystem::path("/cli-home"), Platform::Linux, env) == "/cli-home");
    CHECK(resolve_profile_dir(std::nullopt, Platform::Linux, env) == "/tern-home");
    CHECK(resolve_profile_dir(std::nullopt, Platform::Linux, env_of({{"HOME", "/home/a"}, {"TERN_HOME", ""}})) ==
          "/home/a/.local/share/tern");
    // A relative --home is taken from the current folder, so later chdirs cannot move the profile.
    CHECK(resolve_profile_dir(std::filesystem::path("rel"), Platform::Linux, env).is_absolute());
}

TEST_CASE("a missing HOME gives a clear error naming the fix", "[profile-paths]") {
    try {
        default_profile_dir(Platform::Linux, env_of({}));
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::Storage);
        CHECK(e.message().find("TERN_HOME") != std::string::npos);
        CHECK(e.message().find("--home") != std::string::npos);
    }
    CHECK_THROWS_AS(default_profile_dir(Platform::Windows, env_of({{"HOME", "/x"}})), Error);
}
