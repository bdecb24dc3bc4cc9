#include "tern/accounts/profile_settings.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

namespace tern::accounts {

std::optional<long> positive_setting(Database& db, const char* key) {
    auto st = db.prepare("SELECT value FROM settings WHERE key = ?1");
    st.bind(1, std::string_view(key));
    if (!st.step()) return std::nullopt;
    const auto text = st.column_text(0);
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value <= 0 || value > 100000) {
        spdlog::warn("profile setting {} = \"{}\" is not a positive whole number; using the default", key, text);
        return std::nullopt;
    }
    return value;
}

}  // namespace tern::accounts
