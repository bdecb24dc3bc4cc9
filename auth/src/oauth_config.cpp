#include "tern/auth/oauth_config.hpp"

#include "tern/core/text.hpp"

namespace tern::auth {

std::string OAuthConfig::scope_string() const {
    std::string out;
    for (const auto& s : scopes) {
        if (!out.empty()) out += ' ';
        out += s;
    }
    return out;
}

std::string fill_placeholders(std::string text, const std::string& tenant, const std::string& client_id) {
    replace_all(text, "{tenant}", tenant);
    replace_all(text, "{client_id}", client_id);
    return text;
}

}  // namespace tern::auth
