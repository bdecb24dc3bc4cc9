#include "tern/auth/oauth_config.hpp"

namespace tern::auth {
namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
}

}  // namespace

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
