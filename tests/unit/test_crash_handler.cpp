#include "tern/core/crash_handler.hpp"
#include "tern/core/error.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <thread>

namespace {

// Runs `body` in a child process whose stderr is captured; returns what it printed.
template <typename Body>
std::string stderr_of_child(int& status, Body body) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        body();
        _exit(0);
    }
    close(fds[1]);
    std::string out;
    char buffer[512];
    ssize_t n;
    while ((n = read(fds[0], buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
    close(fds[0]);
    waitpid(pid, &status, 0);
    return out;
}

}  // namespace

TEST_CASE("an uncaught exception is reported redacted, then the process aborts", "[crash]") {
    int status = 0;
    const auto printed = stderr_of_child(status, [] {
        tern::install_crash_handler("crash-test");
        // Thrown on a thread of its own: nothing (not even Catch) catches it, as in a real crash.
        std::thread([] {
            throw tern::Error(tern::ErrorCategory::Internal, "It broke.",
                              "while sending Authorization: Bearer crash-TOKEN-1234567 to the server");
        }).join();
    });
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGABRT);
    CHECK(printed.find("crash-test: fatal: [internal] It broke.") != std::string::npos);
    CHECK(printed.find("Authorization: [REDACTED]") != std::string::npos);
    CHECK(printed.find("crash-TOKEN-1234567") == std::string::npos);
}
