#include "password_prompt.hpp"

#include "tern/core/error.hpp"

#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace tern::cli {

std::optional<Secret> try_read_password(const std::string& email) {
    std::string line;
    if (isatty(STDIN_FILENO)) {
        std::cerr << "Password for " << email << " (for Microsoft accounts with two-step verification, an app password): "
                  << std::flush;
        termios old{};
        tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
        std::getline(std::cin, line);
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        std::cerr << '\n';
    } else {
        std::getline(std::cin, line);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return std::nullopt;
    return Secret(std::move(line));
}

Secret read_password(const std::string& email) {
    auto password = try_read_password(email);
    if (!password) throw Error(ErrorCategory::BadInput, "No password was given for " + email + ".");
    return std::move(*password);
}

accounts::FallbackPrompts fallback_prompts() {
    accounts::FallbackPrompts prompts;
    prompts.tell = [](const accounts::Account& account, const accounts::PolicyDecision& decision) {
        if (decision.message.empty()) return;
        std::cerr << "tern-cli: " << account.email << ": " << decision.message;
        if (decision.offer_device_code)
            std::cerr << " Sign in with: tern-cli login " << account.email << " --device (or without --device, in the "
                      << "browser).";
        std::cerr << '\n';
    };
    prompts.ask_password = [](const accounts::Account& account, const accounts::PolicyDecision&) {
        return try_read_password(account.email);
    };
    return prompts;
}

}  // namespace tern::cli
