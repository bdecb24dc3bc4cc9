#include "tern/auth/system_browser.hpp"

#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <vector>

#ifdef _WIN32
#include <windows.h>
#include <shellapi.h>
#else
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
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

// How long to wait for an opener's verdict. Some xdg-open fallbacks (and many BROWSER commands)
// run the browser in the foreground, so a child still running after this is taken as a browser
// that opened.
constexpr auto verdict_wait = std::chrono::seconds(3);

struct Attempt {
    enum Outcome { Opened, NotFound, Failed } outcome = Failed;
    std::string detail;  // for the log: what happened, without the URL
};

// Starts command[0] (looked up on PATH) with the command's words as arguments, without a shell,
// and waits for its verdict.
Attempt run_opener(const BrowserCommand& command) {
    const std::string& program = command.front();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // The browser's chatter does not belong on Tern's terminal or in its input.
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> words = command;
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0)
        return {spawned == ENOENT ? Attempt::NotFound : Attempt::Failed,
                "posix_spawnp " + program + ": " + std::strerror(spawned)};

    const auto give_up = std::chrono::steady_clock::now() + verdict_wait;
    int status = 0;
    for (;;) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) return {Attempt::Opened, {}};  // reaped elsewhere (SIGCHLD ignored)
        if (std::chrono::steady_clock::now() >= give_up) {
            std::thread([pid] {
                int ignored = 0;
                waitpid(pid, &ignored, 0);
            }).detach();
            spdlog::info("{} still runs after {} s; assuming the browser opened", program, verdict_wait.count());
            return {Attempt::Opened, {}};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {Attempt::Opened, {}};
    const std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                              : "signal " + std::to_string(WTERMSIG(status));
    // xdg-open: 3 = no tool for the job, 4 = the action failed.
    return {Attempt::Failed, program + " ended with " + how};
}

void open_with_opener(const std::string& url) {
    std::vector<std::string> failures;
    if (const char* browser = std::getenv("BROWSER")) {
        for (const auto& command : browser_commands(browser, url)) {
            auto attempt = run_opener(command);
            if (attempt.outcome == Attempt::Opened) {
                spdlog::info("opened the page with {} (from BROWSER)", command.front());
                return;
            }
            spdlog::warn("BROWSER: {} did not open the page ({}); trying the next way", command.front(),
                         attempt.detail);
            failures.push_back("BROWSER: " + attempt.detail);
        }
    }
    auto attempt = run_opener({opener, url});
    if (attempt.outcome == Attempt::Opened) return;
    failures.push_back(attempt.detail);
    std::string why = attempt.outcome == Attempt::NotFound ? std::string(opener) + " is not installed"
                                                           : std::string(opener) + " found no browser to use";
    if (failures.size() > 1) why = "the commands in BROWSER did not start one, and " + why;
    std::string detail;
    for (const auto& failure : failures) detail += (detail.empty() ? "" : "; ") + failure;
    cannot_open(url, why, detail);
}

#endif

// The words of one BROWSER entry, read as a POSIX shell reads a simple command without expansions;
// nothing when a quote is left open.
std::optional<std::vector<std::string>> split_words(std::string_view entry) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < entry.size(); ++i) {
        const char c = entry[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\'') {
            const auto end = entry.find('\'', i + 1);
            if (end == std::string_view::npos) return std::nullopt;
            word.append(entry.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '"') {
            for (++i;; ++i) {
                if (i >= entry.size()) return std::nullopt;
                if (entry[i] == '"') break;
                // Inside double quotes a backslash escapes only these, as in the shell.
                if (entry[i] == '\\' && i + 1 < entry.size() &&
                    std::string_view("\"\\$`").find(entry[i + 1]) != std::string_view::npos)
                    ++i;
                word += entry[i];
            }
        } else if (c == '\\') {
            if (i + 1 < entry.size()) ++i;
            word += entry[i];
        } else {
            word += c;
        }
    }
    if (in_word) words.push_back(std::move(word));
    return words;
}

// "%s" -> url, "%%" -> "%"; says whether a "%s" was there.
bool substitute(std::string& word, const std::string& url) {
    std::string out;
    bool found = false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (word[i] == '%' && i + 1 < word.size() && (word[i + 1] == 's' || word[i + 1] == '%')) {
            if (word[i + 1] == 's') {
                out += url;
                found = true;
            } else {
                out += '%';
            }
            ++i;
        } else {
            out += word[i];
        }
    }
    word = std::move(out);
    return found;
}

}  // namespace

std::vector<BrowserCommand> browser_commands(std::string_view browser_variable, const std::string& url) {
    std::vector<BrowserCommand> commands;
    std::size_t start = 0;
    while (start <= browser_variable.size()) {
        auto end = browser_variable.find(':', start);
        if (end == std::string_view::npos) end = browser_variable.size();
        const auto entry = browser_variable.substr(start, end - start);
        start = end + 1;
        auto words = split_words(entry);
        if (!words) {
            spdlog::warn("BROWSER: ignoring an entry with an unterminated quote: {}", entry);
            continue;
        }
        if (words->empty()) continue;
        bool has_url = false;
        for (auto& word : *words) has_url = substitute(word, url) || has_url;
        if (!has_url) words->push_back(url);
        commands.push_back(std::move(*words));
    }
    return commands;
}

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
