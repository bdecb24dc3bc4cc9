// system_browser(): the BROWSER variable read as xdg-open and Python's webbrowser read it, then
// xdg-open on Linux; every program started without a shell, and the person told to open the
// address themselves when nothing works. Fake programs on PATH stand in for the real ones.
#include "temp_dir.hpp"
#include "tern/auth/system_browser.hpp"
#include "tern/core/error.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::auth;

namespace {

const std::string url = "https://idp.test/authorize?client_id=a&state=x'y;$(touch z)&scope=b%20c";

}  // namespace

TEST_CASE("BROWSER: a bare command gets the URL as its last argument", "[system-browser]") {
    CHECK(browser_commands("firefox", url) == std::vector<BrowserCommand>{{"firefox", url}});
    CHECK(browser_commands("  chromium   --new-window\t", url) ==
          std::vector<BrowserCommand>{{"chromium", "--new-window", url}});
}

TEST_CASE("BROWSER: %s is replaced by the URL, in place, and then nothing is appended", "[system-browser]") {
    CHECK(browser_commands("chromium --new-window %s --incognito", url) ==
          std::vector<BrowserCommand>{{"chromium", "--new-window", url, "--incognito"}});
    CHECK(browser_commands("surf --app=%s", url) == std::vector<BrowserCommand>{{"surf", "--app=" + url}});
    CHECK(browser_commands("twice %s %s", url) == std::vector<BrowserCommand>{{"twice", url, url}});
}

TEST_CASE("BROWSER: %% is a literal percent sign, so %%s is not the URL", "[system-browser]") {
    CHECK(browser_commands("zoom 100%% %s", url) == std::vector<BrowserCommand>{{"zoom", "100%", url}});
    CHECK(browser_commands("show %%s", url) == std::vector<BrowserCommand>{{"show", "%s", url}});
    CHECK(browser_commands("keep %d", url) == std::vector<BrowserCommand>{{"keep", "%d", url}});
}

TEST_CASE("BROWSER: a colon-separated list gives the commands in order, skipping empty entries", "[system-browser]") {
    CHECK(browser_commands("first:second %s::  :third --x", url) ==
          std::vector<BrowserCommand>{{"first", url}, {"second", url}, {"third", "--x", url}});
    CHECK(browser_commands("", url).empty());
    CHECK(browser_commands(":: : ", url).empty());
}

TEST_CASE("BROWSER: quotes and backslashes keep blanks inside one word, without any expansion", "[system-browser]") {
    CHECK(browser_commands(R"('/opt/My Browser/run' --profile "work stuff" a\ b '$HOME' %s)", url) ==
          std::vector<BrowserCommand>{{"/opt/My Browser/run", "--profile", "work stuff", "a b", "$HOME", url}});
    // Inside double quotes a backslash escapes only " \ $ and `, as in the shell.
    CHECK(browser_commands(R"(x "a\"b\\c\d")", url) == std::vector<BrowserCommand>{{"x", R"(a"b\c\d)", url}});
    CHECK(browser_commands(R"(x '%s')", url) == std::vector<BrowserCommand>{{"x", url}});
}

TEST_CASE("BROWSER: an entry with an unterminated quote is skipped, the others stay", "[system-browser]") {
    CHECK(browser_commands("\"broken %s:ok", url) == std::vector<BrowserCommand>{{"ok", url}});
    CHECK(browser_commands("it's", url).empty());
}

TEST_CASE("BROWSER: the URL stays one argument whatever it holds", "[system-browser]") {
    const std::string odd = "http://127.0.0.1:5/x?a=b c&d='e'\"f\":%s%%";
    CHECK(browser_commands("open-it %s", odd) == std::vector<BrowserCommand>{{"open-it", odd}});
    CHECK(browser_commands("open-it", odd) == std::vector<BrowserCommand>{{"open-it", odd}});
}

#ifdef __linux__

#include <cstdlib>
#include <fstream>
#include <optional>

namespace {

// Sets (or with nullopt removes) one environment variable for its lifetime.
class EnvOverride {
public:
    EnvOverride(const char* name, const std::optional<std::string>& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value)
            ::setenv(name, value->c_str(), 1);
        else
            ::unsetenv(name);
    }
    ~EnvOverride() {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    EnvOverride(const EnvOverride&) = delete;
    EnvOverride& operator=(const EnvOverride&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

// A fake program in `dir` that writes its arguments, one a line, to dir/<name>.args and exits.
void write_fake_program(const std::filesystem::path& dir, const std::string& name, int exit_code) {
    const auto script = dir / name;
    std::ofstream(script) << "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"" << (dir / (name + ".args")).string()
                          << "\"\nexit " << exit_code << "\n";
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
}

std::string arguments_seen(const std::filesystem::path& dir, const std::string& name) {
    std::ifstream in(dir / (name + ".args"));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool ran(const std::filesystem::path& dir, const std::string& name) {
    return std::filesystem::exists(dir / (name + ".args"));
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
    write_fake_program(dir.path(), "xdg-open", 0);
    EnvOverride path("PATH", dir.path().string());
    EnvOverride browser("BROWSER", std::nullopt);
    system_browser()(url);
    CHECK(arguments_seen(dir.path(), "xdg-open") == url + "\n");
    CHECK_FALSE(std::filesystem::exists(dir.path() / "z"));
}

TEST_CASE("system_browser tells the person to open the URL when xdg-open is missing", "[system-browser]") {
    test::TempDir dir;
    EnvOverride path("PATH", dir.path().string());
    EnvOverride browser("BROWSER", std::nullopt);
    const auto e = failure_opening(url);
    CHECK(e.category() == ErrorCategory::Unsupported);
    CHECK(e.message().find("not installed") != std::string::npos);
    CHECK(e.message().find(url) != std::string::npos);
}

TEST_CASE("system_browser tells the person to open the URL when xdg-open fails", "[system-browser]") {
    test::TempDir dir;
    write_fake_program(dir.path(), "xdg-open", 3);
    EnvOverride path("PATH", dir.path().string());
    EnvOverride browser("BROWSER", std::nullopt);
    const auto e = failure_opening(url);
    CHECK(e.category() == ErrorCategory::Unsupported);
    CHECK(e.message().find(url) != std::string::npos);
    CHECK(e.detail().find("exit status 3") != std::string::npos);
}

TEST_CASE("system_browser runs the BROWSER command with the URL in place of %s, instead of xdg-open",
          "[system-browser]") {
    test::TempDir dir;
    write_fake_program(dir.path(), "xdg-open", 0);
    write_fake_program(dir.path(), "my-browser", 0);
    EnvOverride path("PATH", dir.path().string());
    EnvOverride browser("BROWSER", "my-browser --new-window %s --x");
    system_browser()(url);
    CHECK(arguments_seen(dir.path(), "my-browser") == "--new-window\n" + url + "\n--x\n");
    CHECK_FALSE(ran(dir.path(), "xdg-open"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "z"));
}

TEST_CASE("system_browser tries the BROWSER list in order and stops at the first that works", "[system-browser]") {
    test::TempDir dir;
    write_fake_program(dir.path(), "xdg-open", 0);
    write_fake_program(dir.path(), "refuses", 1);
    write_fake_program(dir.path(), "works", 0);
    write_fake_program(dir.path(), "never", 0);
    EnvOverride path("PATH", dir.path().string());
    EnvOverride browser("BROWSER", "not-installed:refuses:works:never");
    system_browser()(url);
    CHECK(arguments_seen(dir.path(), "refuses") == url + "\n");
    CHECK(arguments_seen(dir.path(), "works") == url + "\n");
    CHECK_FALSE(ran(dir.path(), "never"));
    CHECK_FALSE(ran(dir.path(), "xdg-open"));
}

TEST_CASE("system_browser falls back to xdg-open when no BROWSER command works", "[system-browser]") {
    test::TempDir dir;
    write_fake_program(dir.path(), "xdg-open", 0);
    write_fake_program(dir.path(), "refuses", 1);
    EnvOverride path("PATH", dir.path().string());
    EnvOverride browser("BROWSER", "refuses:not-installed");
    system_browser()(url);
    CHECK(ran(dir.path(), "refuses"));
    CHECK(arguments_seen(dir.path(), "xdg-open") == url + "\n");
}

TEST_CASE("system_browser names BROWSER and xdg-open when neither opened the page", "[system-browser]") {
    test::TempDir dir;
    write_fake_program(dir.path(), "refuses", 4);
    EnvOverride path("PATH", dir.path().string());
    EnvOverride browser("BROWSER", "refuses");
    const auto e = failure_opening(url);
    CHECK(e.category() == ErrorCategory::Unsupported);
    CHECK(e.message().find("BROWSER") != std::string::npos);
    CHECK(e.message().find("xdg-open is not installed") != std::string::npos);
    CHECK(e.message().find(url) != std::string::npos);
    CHECK(e.detail().find("refuses ended with exit status 4") != std::string::npos);
    CHECK(e.detail().find("posix_spawnp xdg-open") != std::string::npos);
}

#endif
