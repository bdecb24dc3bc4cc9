#include "cli_context.hpp"

#include "tern/core/logging.hpp"
#include "tern/core/profile_paths.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

namespace tern::cli {

Profile CliContext::open_profile() const {
    std::optional<std::filesystem::path> home_option;
    if (!home.empty()) home_option = home;
    const auto dir = resolve_profile_dir(home_option);
    LoggingOptions logging;
    logging.directory = dir / "logs";
    logging.to_stderr = verbose;
    logging.level = verbose ? "debug" : "info";
    init_logging(logging);
    return Profile::open(dir);
}

int report_error(const CliContext& ctx, const Error& error) {
    spdlog::error("tern-cli: {}", error.log_line());
    if (ctx.json) {
        print_json({{"error", {{"category", std::string(to_string(error.category()))}, {"message", error.message()}}}});
    } else {
        std::cerr << "tern-cli: " << error.message() << " [" << to_string(error.category()) << "]\n";
    }
    return exit_failed;
}

void print_json(const nlohmann::json& document) { std::cout << document.dump(2) << '\n'; }

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json();
}

nlohmann::json optional_json(const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json();
}

}  // namespace tern::cli
