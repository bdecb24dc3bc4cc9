// What the GUI tests do outside the window: run tern-cli on the test's profile (an account added
// the way a person would with the command line), and feed or read a shell command.
#pragma once

#include "../integration_cpp/env_file.hpp"

#include <filesystem>
#include <functional>
#include <string>

namespace tern::gui_test {

std::string shell_quote(const std::string& text);

// Runs `command` with `input` on its standard input; returns its exit status (0: success).
int run_with_input(const std::string& command, const std::string& input = {});

// Runs `command` and returns what it writes on its standard output; fails the test, with that
// output, unless it succeeds.
std::string output_of(const std::string& command);

// Sets the environment's CA file and providers for this process and the tern-cli it starts.
void use_environment(test::TestEnvironment& env);

// tern-cli on the profile in `home`, with the environment's providers.
std::string tern_cli(const std::filesystem::path& home);

// Adds `user` as a password account of the environment's example provider, the password typed on
// tern-cli's standard input (never on its command line).
void add_password_account(test::TestEnvironment& env, const std::filesystem::path& home, const std::string& user,
                          const std::string& password);

// Adds `user` as an OAuth account by device code: the code tern-cli prints is approved at the fake
// platform's admin side, as clitest.py's approved_by_device_code does. Fails the test otherwise.
void add_account_by_device_code(test::TestEnvironment& env, const std::filesystem::path& home, const std::string& user);

}  // namespace tern::gui_test
