// Where and as whom Tern signs in to an OAuth 2.0 identity platform (one provider, one tenant).
#pragma once

#include <string>
#include <vector>

namespace tern::auth {

struct OAuthConfig {
    std::string authorize_url;    // e.g. https://login.microsoftonline.com/consumers/oauth2/v2.0/authorize
    std::string token_url;
    std::string device_code_url;
    std::string client_id;
    std::string tenant;           // for messages and the admin consent link
    std::vector<std::string> scopes;  // offline_access included when a refresh token is wanted
    std::string admin_consent_url;    // filled in: https://login.microsoftonline.com/{tenant}/adminconsent?client_id=..

    std::string scope_string() const;  // space-separated, as the endpoints want it
};

// Replaces every "{tenant}" and "{client_id}" in `text`.
std::string fill_placeholders(std::string text, const std::string& tenant, const std::string& client_id);

}  // namespace tern::auth
