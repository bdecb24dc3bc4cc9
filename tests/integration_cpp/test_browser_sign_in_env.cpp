// Browser sign-in end to end: Tern's loopback listener and token client against the fake identity
// platform of tests/env, with a real headless Chromium playing the person's browser.
#include "env_file.hpp"
#include "temp_dir.hpp"
#include "tern/auth/browser_sign_in.hpp"
#include "tern/auth/http_client.hpp"
#include "tern/core/error.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

using namespace tern;
using namespace tern::auth;
using namespace std::chrono_literals;

namespace {

constexpr const char* chromium_path = "/usr/bin/chromium";

// A headless Chromium in its own process group, so that it and every helper process it starts
// end with it.
class HeadlessChromium {
public:
    explicit HeadlessChromium(std::filesystem::path dir) : dir_(std::move(dir)) {}
    ~HeadlessChromium() { stop(); }
    HeadlessChromium(const HeadlessChromium&) = delete;
    HeadlessChromium& operator=(const HeadlessChromium&) = delete;

    void open(const std::string& url) {
        REQUIRE(pid_ == 0);
        const auto profile = (dir_ / "profile").string();
        const auto log = (dir_ / "chromium.log").string();
        std::vector<std::string> args{chromium_path,
                                      "--headless",
                                      "--no-sandbox",  // runs as root in the test container
                                      "--disable-gpu",
                                      "--disable-quic",
                                      "--no-first-run",
                                      "--disable-background-networking",
                                      "--disable-component-update",
                                      "--disable-sync",
                                      "--user-data-dir=" + profile,
                                      // Chromium does not read TERN_CA_FILE. The browser here stands
                                      // in for a person clicking through; only it skips certificate
                                      // checks. Tern's own HTTPS (the token request) still verifies
                                      // the platform against the throwaway CA.
                                      "--ignore-certificate-errors",
                                      url};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        posix_spawnattr_t attributes;
        posix_spawnattr_init(&attributes);
        posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attributes, 0);
        const int spawned = posix_spawn(&pid_, chromium_path, &actions, &attributes, argv.data(), environ);
        posix_spawnattr_destroy(&attributes);
        posix_spawn_file_actions_destroy(&actions);
        if (spawned != 0) {
            pid_ = 0;
            throw Error(ErrorCategory::Unsupported, "cannot start " + std::string(chromium_path), std::strerror(spawned));
        }
    }

    // SIGTERM to the whole group, SIGKILL after 5 s; returns when no process of the group is left.
    void stop() {
        if (pid_ == 0) return;
        const pid_t group = pid_;
        ::kill(-group, SIGTERM);
        const auto kill_at = std::chrono::steady_clock::now() + 5s;
        bool leader_reaped = false;
        for (;;) {
            if (!leader_reaped) {
                int status = 0;
                leader_reaped = waitpid(group, &status, WNOHANG) == group;
            }
            if (leader_reaped && ::kill(-group, 0) != 0 && errno == ESRCH) break;
            if (std::chrono::steady_clock::now() >= kill_at) ::kill(-group, SIGKILL);
            std::this_thread::sleep_for(20ms);
        }
        pid_ = 0;
    }

    pid_t group() const { return pid_; }
    std::string log() const {
        std::ifstream in(dir_ / "chromium.log");
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

private:
    std::filesystem::path dir_;
    pid_t pid_ = 0;
};

// The environment plus the account these tests sign in.
struct Environment : test::TestEnvironment {
    std::string user = get("OAUTH_USER1");
    auth::OAuthConfig organizations() const { return oauth_config("organizations"); }
};

}  // namespace

TEST_CASE("browser sign-in through headless Chromium gets a grant from the platform", "[browser-sign-in][env]") {
    Environment e;
    e.admin("/admin/auto-approve", R"({"user": ")" + e.user + R"(", "enabled": true})");
    test::TempDir dir;
    HeadlessChromium chromium(dir.path());
    TokenEndpoint endpoint(e.http(), e.organizations(), e.user);

    BrowserSignInOptions options;
    options.login_hint = e.user;
    options.timeout = 60s;
    TokenGrant grant;
    try {
        grant = sign_in_with_browser(endpoint, [&](const std::string& url) { chromium.open(url); }, options, nullptr);
    } catch (const Error& error) {
        chromium.stop();
        INFO("Chromium said:\n" << chromium.log());
        FAIL(error.log_line());
    }
    const pid_t group = chromium.group();
    chromium.stop();
    CHECK(::kill(-group, 0) != 0);  // nothing of the browser is left

    CHECK_FALSE(grant.access_token.empty());
    REQUIRE(grant.refresh_token);
    CHECK_FALSE(grant.refresh_token->empty());
    CHECK(grant.expires_at > Clock::now() + 30min);
    CHECK(grant.scope.find("IMAP.AccessAsUser.All") != std::string::npos);
}

TEST_CASE("browser sign-in: a sign-in the platform declines comes back Cancelled", "[browser-sign-in][env]") {
    Environment e;
    e.admin("/admin/auto-approve", R"({"user": ")" + e.user + R"(", "enabled": true})");
    // The next completed sign-in redirects with access_denied, as when the person clicks Decline.
    e.admin("/admin/fail-next", R"({"count": 1, "error": "access_denied", "endpoint": "authorize"})");
    test::TempDir dir;
    HeadlessChromium chromium(dir.path());
    TokenEndpoint endpoint(e.http(), e.organizations(), e.user);

    BrowserSignInOptions options;
    options.login_hint = e.user;
    options.timeout = 60s;
    ErrorCategory category = ErrorCategory::Internal;
    try {
        sign_in_with_browser(endpoint, [&](const std::string& url) { chromium.open(url); }, options, nullptr);
        FAIL("the sign-in succeeded");
    } catch (const Error& error) {
        category = error.category();
        INFO(error.log_line() << "\nChromium said:\n" << chromium.log());
        CHECK(category == ErrorCategory::Cancelled);
    }
    chromium.stop();
}
