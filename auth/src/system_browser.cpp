#include "tern/auth/system_browser.hpp"

#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>

#ifdef _WIN32
#include <windows.h>
#include <shellapi.h>
#else
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <vector>
extern char** environ;
#endif

namespace tern::auth {
namespace {

[[noreturn]] void cannot_open(const std::string& url, const std::string& why, const std::string& detail) {
    throw Error(ErrorCategory::Unsupported,
                "Tern could not open a web browser (" + why + "). Open this address in a browser yourself to sign in: " +
                    url,
                detail);
}

#ifdef _WIN32

void open_with_shell(const std::string& url) {
    const int size = MultiByteToWideChar(CP_UTF8, 0, url.c_str(), -1, nullptr, 0);
    std::wstring wide(static_cast<std::size_t>(size > 0 ? size : 1), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, url.c_str(), -1, wide.data(), size);
    const auto result = reinterpret_cast<INT_PTR>(ShellExecuteW(nullptr, L"open", wide.c_str(), nullptr, nullptr,
                                                                SW_SHOWNORMAL));
    // ShellExecuteW reports success as a value above 32.
    if (result <= 32)
        cannot_open(url, "Windows found no program for web addresses",
                    "ShellExecuteW returned " + std::to_string(static_cast<long long>(result)));
}

#else

#ifdef __APPLE__
constexpr const char* opener = "open";
#else
constexpr const char* opener = "xdg-open";
#endif

// How long to wait for the opener's verdict. Some xdg-open fallbacks run the browser in the
// foreground, so a child still running after this is taken as a browser that opened.
constexpr auto verdict_wait = std::chrono::seconds(3);

void open_with_opener(const std::string& url) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // The browser's chatter does not belong on Tern's terminal or in its input.
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::string program = opener;
    std::string argument = url;
    std::vector<char*> argv{program.data(), argument.data(), nullptr};
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, opener, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        cannot_open(url, std::string(opener) + (spawned == ENOENT ? " is not installed" : " could not be started"),
                    std::string("posix_spawnp ") + opener + ": " + std::strerror(spawned));

    const auto give_up = std::chrono::steady_clock::now() + verdict_wait;
    int status = 0;
    for (;;) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) return;  // reaped elsewhere (SIGCHLD ignored): nothing to learn
        if (std::chrono::steady_clock::now() >= give_up) {
            std::thread([pid] {
                int ignored = 0;
                waitpid(pid, &ignored, 0);
            }).detach();
            spdlog::info("{} still runs after {} s; assuming the browser opened", opener, verdict_wait.count());
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
    const std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                              : "signal " + std::to_string(WTERMSIG(status));
    // xdg-open: 3 = no tool for the job, 4 = the action failed.
    cannot_open(url, std::string(opener) + " found no browser to use", std::string(opener) + " ended with " + how);
}

#endif

}  // namespace

OpenUrl system_browser() {
    return [](const std::string& url) {
#ifdef _WIN32
        open_with_shell(url);
#else
        open_with_opener(url);
#endif
    };
}

}  // namespace tern::auth
