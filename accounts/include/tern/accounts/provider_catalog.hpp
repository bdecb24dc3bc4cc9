// The mail providers Tern knows, read from providers.json at run time (data, not code: adding a
// provider needs no rebuild). Tests and the demo point Microsoft at loopback with TERN_PROVIDERS.
#pragma once

#include "tern/auth/oauth_config.hpp"
#include "tern/mail/server_endpoint.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tern::accounts {

struct ProviderOAuth {
    std::string authorize_url;  // may hold {tenant}
    std::string token_url;
    std::string device_code_url;
    std::string admin_consent_url;  // may hold {tenant} and {client_id}
    std::string tenant;
    std::string client_id;  // empty: the build's TERN_MS_CLIENT_ID
    std::map<mail::MailProtocol, std::vector<std::string>> scopes;
    std::string sasl_mechanism = "XOAUTH2";

    // The OAuth settings for an account that uses `protocols`: the union of their scopes, the
    // tenant and client id filled in (an account's own values win over the provider's).
    auth::OAuthConfig config_for(const std::set<mail::MailProtocol>& protocols, const std::string& tenant_override = {},
                                 const std::string& client_id_override = {}) const;
};

struct Provider {
    std::string id;
    std::string display_name;
    std::vector<std::string> domains;
    std::optional<ProviderOAuth> oauth;
    // Empty only for a provider without OAuth (the generic one): its servers come from
    // autodetection or the command line (--imap, --pop3, --smtp).
    std::map<mail::MailProtocol, mail::ServerEndpoint> servers;
    std::map<mail::MailProtocol, mail::ServerEndpoint> fallback_servers;
    bool server_saves_sent = false;  // Exchange Online and Outlook.com keep a copy themselves
};

class ProviderCatalog {
public:
    // Throws tern::Error (BadInput) naming the file, the line, the provider and the field that is
    // wrong ("providers.json line 17: provider 'outlook': "servers.imap.port" must be ..."); load()
    // throws Storage when the file cannot be read.
    static ProviderCatalog parse(const std::string& json_text, const std::string& origin);
    static ProviderCatalog load(const std::filesystem::path& file);

    const std::vector<Provider>& providers() const { return providers_; }
    const Provider* find(const std::string& id) const;
    // The provider that claims the address's domain (case-insensitive), if any.
    const Provider* for_email(const std::string& email) const;

private:
    std::vector<Provider> providers_;
};

// Which providers file to read: --providers, then TERN_PROVIDERS, then the copy installed next to
// the running program (installed_providers_file), then the build's own (TERN_PROVIDERS_FILE: the
// source tree's copy, so that a build tree reads the file being edited).
std::filesystem::path providers_file(const std::optional<std::filesystem::path>& option);

// Where an installed package keeps providers.json for a program installed as `executable`: the
// install layout's data folder relative to its bin folder (/usr/bin/tern-cli ->
// /usr/share/tern/providers.json). Relative, so that a package unpacked elsewhere (the .tar.gz)
// finds its own copy.
std::filesystem::path installed_providers_file(const std::filesystem::path& executable);

}  // namespace tern::accounts
