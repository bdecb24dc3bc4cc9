// What every tern-cli command shares: the global options and how results and errors are printed.
#pragma once

#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace tern::cli {

// Exit codes of DESIGN §7.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;

struct CliContext {
    std::string home;       // --home
    std::string providers;  // --providers
    bool json = false;      // --json: one JSON document on stdout, progress on stderr
    bool verbose = false;   // --verbose: the log also goes to stderr

    // Resolves and opens the profile and starts logging into it. Throws tern::Error.
    Profile open_profile() const;
};

// Prints an error for a person (stderr) or as {"error": {...}} (stdout with --json); returns exit_failed.
int report_error(const CliContext& ctx, const Error& error);

// Prints a JSON document on stdout.
void print_json(const nlohmann::json& document);
// A value, or JSON null when there is none.
nlohmann::json optional_json(const std::optional<std::int64_t>& value);
nlohmann::json optional_json(const std::optional<std::string>& value);

}  // namespace tern::cli
