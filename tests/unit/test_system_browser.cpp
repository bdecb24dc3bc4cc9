// system_browser() on Linux: xdg-open started without a shell, and the person told to open the
// address themselves when it is missing or fails. A fake xdg-open on PATH stands in for the real one.
#include "temp_dir.hpp"
#include "tern/auth/system_browser.hpp"
#include "tern/core/error.hpp"

#include <catch2/catch.hpp>

#ifdef __linux__

#include <cstdlib>
#include <fstream>
#include <optional>

using namespace tern;
using namespace tern::auth;

namespace {

const std::string url = "https://idp.test/authorize?client_id=a&state=x'y;$(touch z)&scope=b%20c";

// Puts `dir` alone on PATH for its lifetime.
class PathOverride {
public:
    explicit PathOverride(const std::filesystem::path& dir) {
        if (const char* old = std::getenv("PATH")) old_ = old;
        ::setenv("PATH", dir.c_str(), 1);
    }
    ~PathOverride() {
        if (old_)
            ::setenv("PATH", old_->c_str(), 1);
        else
            ::unsetenv("PATH");
    }

private:
    std::optional<std::string> old_;
};

void write_fake_xdg_open(const std::filesystem::path& dir, int exit_code) {
    const auto script = dir / "xdg-open";
    std::ofstream(script) << "#!/bin/sh\nprintf '%s' \"$1\" > \"" << (dir / "opened").string() << "\"\nexit "
                          << exit_code << "\n";
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
}

Error failure_opening(const std::string& address) {
    try {
        system_browser()(address);
    } catch (const Error& e) {
        return e;
    }
    FAIL("the browser opened");
    return Error(ErrorCategory::Internal, {});
}

}  // namespace

TEST_CASE("system_browser hands the URL to xdg-open as one argument, without a shell", "[system-browser]") {
    test::TempDir dir;
    write_fake_xdg_open(dir.path(), 0);
    PathOverride path(dir.path());
    system_browser()(url);
    std::ifstream opened(dir.path() / "opened");
    const std::string seen{std::istreambuf_iterator<char>(opened), std::istreambuf_iterator<char>()};
    CHECK(seen == url);
    CHECK_FALSE(std::filesystem::exists(dir.path() / "z"));
}

TEST_CASE("system_browser tells the person to open the URL when xdg-open is missing", "[system-browser]") {
    test::TempDir dir;
    PathOverride path(dir.path());
    const auto e = failure_opening(url);
    CHECK(e.category() == ErrorCategory::Unsupported);
    CHECK(e.message().find("not installed") != std::string::npos);
    CHECK(e.message().find(url) != std::string::npos);
}

TEST_CASE("system_browser tells the person to open the URL when xdg-open fails", "[system-browser]") {
    test::TempDir dir;
    write_fake_xdg_open(dir.path(), 3);
    PathOverride path(dir.path());
    const auto e = failure_opening(url);
    CHECK(e.category() == ErrorCategory::Unsupported);
    CHECK(e.message().find(url) != std::string::npos);
    CHECK(e.detail().find("exit status 3") != std::string::npos);
}

#endif
