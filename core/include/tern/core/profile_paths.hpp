// Where a profile lives: --home, then TERN_HOME, then the platform's data folder.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace tern {

enum class Platform { Linux, Windows, MacOS };

Platform current_platform();

// Reads an environment variable; injectable so tests need not change the real environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

// The platform default: $XDG_DATA_HOME/tern or ~/.local/share/tern (Linux), %APPDATA%\Tern
// (Windows), ~/Library/Application Support/Tern (macOS). Throws tern::Error (Storage) when the
// variables it needs are missing, saying to use TERN_HOME or --home.
std::filesystem::path default_profile_dir(Platform platform, const EnvLookup& env);

// `home_option` is --home; it wins over TERN_HOME, which wins over the default.
std::filesystem::path resolve_profile_dir(const std::optional<std::filesystem::path>& home_option,
                                          Platform platform, const EnvLookup& env);
std::filesystem::path resolve_profile_dir(const std::optional<std::filesystem::path>& home_option);

}  // namespace tern
