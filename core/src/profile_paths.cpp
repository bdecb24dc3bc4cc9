#include "tern/core/profile_paths.hpp"

#include "tern/core/error.hpp"

#include <cstdlib>

namespace tern {
namespace {

std::optional<std::string> non_empty(const EnvLookup& env, const std::string& name) {
    auto value = env(name);
    if (value && value->empty()) return std::nullopt;
    return value;
}

[[noreturn]] void missing(const std::string& what) {
    throw Error(ErrorCategory::Storage,
                "Tern cannot tell where to keep its profile because " + what +
                    " is not set. Set TERN_HOME to a folder, or pass --home FOLDER.",
                what + " unset");
}

}  // namespace

Platform current_platform() {
#if defined(_WIN32)
    return Platform::Windows;
#elif defined(__APPLE__)
    return Platform::MacOS;
#else
    return Platform::Linux;
#endif
}

EnvLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (!value) return std::nullopt;
        return std::string(value);
    };
}

std::filesystem::path default_profile_dir(Platform platform, const EnvLookup& env) {
    switch (platform) {
    case Platform::Windows: {
        auto appdata = non_empty(env, "APPDATA");
        if (!appdata) missing("APPDATA");
        return std::filesystem::path(*appdata) / "Tern";
    }
    case Platform::MacOS: {
        auto home = non_empty(env, "HOME");
        if (!home) missing("HOME");
        return std::filesystem::path(*home) / "Library" / "Application Support" / "Tern";
    }
    case Platform::Linux:
        break;
    }
    // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    if (auto xdg = non_empty(env, "XDG_DATA_HOME"); xdg && std::filesystem::path(*xdg).is_absolute())
        return std::filesystem::path(*xdg) / "tern";
    auto home = non_empty(env, "HOME");
    if (!home) missing("HOME");
    return std::filesystem::path(*home) / ".local" / "share" / "tern";
}

std::filesystem::path resolve_profile_dir(const std::optional<std::filesystem::path>& home_option,
                                          Platform platform, const EnvLookup& env) {
    if (home_option && !home_option->empty()) return std::filesystem::absolute(*home_option);
    if (auto tern_home = non_empty(env, "TERN_HOME")) return std::filesystem::absolute(*tern_home);
    return default_profile_dir(platform, env);
}

std::filesystem::path resolve_profile_dir(const std::optional<std::filesystem::path>& home_option) {
    return resolve_profile_dir(home_option, current_platform(), process_environment());
}

}  // namespace tern
