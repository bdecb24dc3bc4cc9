// A child process for the keyring tests (secret-tool, a private dbus-daemon): argv without a
// shell, stdout to a pipe, stderr inherited (its complaints then show up in the test log) unless
// asked to join stdout.
#pragma once

#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace tern::test {

enum class Stderr { Inherit, ToStdout };

class ChildProcess {
public:
    explicit ChildProcess(const std::vector<std::string>& argv, Stderr err = Stderr::Inherit) {
        int fds[2];
        if (pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        std::vector<char*> args;
        for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        if (err == Stderr::ToStdout) posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        posix_spawn_file_actions_addclose(&actions, fds[1]);
        const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
        if (rc != 0) {
            close(fds[0]);
            pid_ = -1;
            throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
        }
        out_ = fds[0];
    }

    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    ~ChildProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            wait();
        }
        if (out_ >= 0) close(out_);
    }

    // Up to and without the next newline; what is left at end of output otherwise.
    std::string read_line() {
        std::string line;
        char c = 0;
        while (read_byte(c) && c != '\n') line += c;
        return line;
    }

    std::string read_all() {
        std::string all;
        char c = 0;
        while (read_byte(c)) all += c;
        return all;
    }

    // Exit status, or 128 + signal number.
    int wait() {
        if (pid_ <= 0) throw std::logic_error("ChildProcess::wait: already reaped");
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
    }

private:
    bool read_byte(char& c) {
        for (;;) {
            const ssize_t n = read(out_, &c, 1);
            if (n == 1) return true;
            if (n < 0 && errno == EINTR) continue;
            return false;
        }
    }

    pid_t pid_ = -1;
    int out_ = -1;
};

struct RunResult {
    int exit_code;
    std::string out;
};

inline RunResult run(const std::vector<std::string>& argv, Stderr err = Stderr::Inherit) {
    ChildProcess child(argv, err);
    std::string out = child.read_all();
    const int code = child.wait();
    return {code, std::move(out)};
}

}  // namespace tern::test
