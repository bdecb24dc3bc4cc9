#include "gui_cli.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <regex>

namespace tern::gui_test {

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

int run_with_input(const std::string& command, const std::string& input) {
    FILE* pipe = ::popen(command.c_str(), "w");
    REQUIRE(pipe != nullptr);
    if (!input.empty()) std::fwrite(input.data(), 1, input.size(), pipe);
    return ::pclose(pipe);
}

std::string output_of(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    const int status = ::pclose(pipe);
    INFO(command << "\n" << out);
    REQUIRE(status == 0);
    return out;
}

void use_environment(test::TestEnvironment& env) {
    ::setenv("TERN_CA_FILE", env.get("TERN_CA_FILE").c_str(), 1);
    ::setenv("TERN_PROVIDERS", env.get("TERN_PROVIDERS").c_str(), 1);
}

std::string tern_cli(const std::filesystem::path& home) {
    return shell_quote(TERN_CLI_PATH) + " --home " + shell_quote(home.string());
}

void add_password_account(test::TestEnvironment& env, const std::filesystem::path& home, const std::string& user,
                          const std::string& password) {
    use_environment(env);
    const std::string command = tern_cli(home) + " account add " + shell_quote(user) + " --provider example >/dev/null";
    INFO(command);
    REQUIRE(run_with_input(command, password + "\n") == 0);
}

void add_account_by_device_code(test::TestEnvironment& env, const std::filesystem::path& home, const std::string& user) {
    use_environment(env);
    const std::string command = tern_cli(home) + " account add " + shell_quote(user) + " --auth device 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output, code;
    char line[1024];
    const std::regex code_pattern("enter the code (\\w+)");
    while (code.empty() && std::fgets(line, sizeof line, pipe)) {
        output += line;
        std::cmatch match;
        if (std::regex_search(line, match, code_pattern)) code = match[1];
    }
    INFO(output);
    REQUIRE_FALSE(code.empty());
    env.admin("/admin/device/approve", R"({"user_code": ")" + code + R"(", "user": ")" + user + R"("})");
    while (std::fgets(line, sizeof line, pipe)) output += line;
    INFO(output);
    REQUIRE(::pclose(pipe) == 0);
}

}  // namespace tern::gui_test
