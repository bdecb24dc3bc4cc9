#include "tern/accounts/provider_catalog.hpp"

#include "tern/core/build_config.hpp"
#include "tern/core/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace tern::accounts {
namespace {

using nlohmann::json;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Reads one provider; `where` names it in error messages ("providers.json, provider 'outlook'").
class Reader {
public:
    Reader(const json& node, std::string where) : node_(node), where_(std::move(where)) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorCategory::BadInput, "The provider definitions in " + where_ + " are not valid: " + what + ".");
    }
    std::string text(const char* key, bool required = true) const {
        auto it = node_.find(key);
        if (it == node_.end() || it->is_null()) {
            if (required) fail(std::string("\"") + key + "\" is missing");
            return {};
        }
        if (!it->is_string()) fail(std::string("\"") + key + "\" must be text");
        return it->get<std::string>();
    }
    const json& node() const { return node_; }
    const std::string& where() const { return where_; }

private:
    const json& node_;
    std::string where_;
};

std::map<mail::MailProtocol, mail::ServerEndpoint> read_servers(const Reader& r, const char* key) {
    std::map<mail::MailProtocol, mail::ServerEndpoint> out;
    auto it = r.node().find(key);
    if (it == r.node().end()) return out;
    if (!it->is_object()) r.fail(std::string("\"") + key + "\" must be an object");
    for (const auto& [name, value] : it->items()) {
        const auto protocol = mail::protocol_from_string(name);
        if (!protocol) r.fail("unknown protocol \"" + name + "\" in \"" + key + "\"");
        Reader s(value, r.where());
        mail::ServerEndpoint endpoint;
        endpoint.protocol = *protocol;
        endpoint.host = s.text("host");
        auto port = value.find("port");
        if (port == value.end() || !port->is_number_integer() || port->get<int>() < 1 || port->get<int>() > 65535)
            r.fail("the " + name + " port must be a number from 1 to 65535");
        endpoint.port = port->get<int>();
        const auto tls = mail::tls_from_string(s.text("tls"));
        if (!tls) r.fail("the " + name + " TLS mode must be ssl, starttls or none");
        endpoint.tls = *tls;
        out[*protocol] = endpoint;
    }
    return out;
}

ProviderOAuth read_oauth(const Reader& r) {
    ProviderOAuth o;
    o.authorize_url = r.text("authorize_url");
    o.token_url = r.text("token_url");
    o.device_code_url = r.text("device_code_url");
    o.admin_consent_url = r.text("admin_consent_url", false);
    o.tenant = r.text("tenant");
    o.client_id = r.text("client_id", false);
    if (auto mech = r.text("sasl_mechanism", false); !mech.empty()) o.sasl_mechanism = mech;
    auto scopes = r.node().find("scopes");
    if (scopes == r.node().end() || !scopes->is_object()) r.fail("\"oauth.scopes\" is missing");
    for (const auto& [name, list] : scopes->items()) {
        const auto protocol = mail::protocol_from_string(name);
        if (!protocol || !list.is_array()) r.fail("\"oauth.scopes\" must map imap, pop3, smtp to lists");
        for (const auto& scope : list) o.scopes[*protocol].push_back(scope.get<std::string>());
    }
    return o;
}

}  // namespace

auth::OAuthConfig ProviderOAuth::config_for(const std::set<mail::MailProtocol>& protocols,
                                            const std::string& tenant_override,
                                            const std::string& client_id_override) const {
    const std::string t = tenant_override.empty() ? tenant : tenant_override;
    std::string id = !client_id_override.empty() ? client_id_override : !client_id.empty() ? client_id : build::ms_client_id;
    auth::OAuthConfig config;
    config.authorize_url = auth::fill_placeholders(authorize_url, t, id);
    config.token_url = auth::fill_placeholders(token_url, t, id);
    config.device_code_url = auth::fill_placeholders(device_code_url, t, id);
    config.admin_consent_url = auth::fill_placeholders(admin_consent_url, t, id);
    config.tenant = t;
    config.client_id = id;
    for (auto p : protocols) {
        auto it = scopes.find(p);
        if (it == scopes.end()) continue;
        for (const auto& s : it->second)
            if (std::find(config.scopes.begin(), config.scopes.end(), s) == config.scopes.end()) config.scopes.push_back(s);
    }
    return config;
}

ProviderCatalog ProviderCatalog::parse(const std::string& json_text, const std::string& origin) {
    const auto root = json::parse(json_text, nullptr, false);
    Reader top(root, origin);
    if (root.is_discarded() || !root.is_object()) top.fail("it is not a JSON object");
    if (root.value("format", 0) != 1) top.fail("\"format\" must be 1");
    auto list = root.find("providers");
    if (list == root.end() || !list->is_array()) top.fail("\"providers\" must be a list");

    ProviderCatalog catalog;
    for (const auto& node : *list) {
        Reader r(node, origin);
        Provider p;
        p.id = r.text("id");
        Reader named(node, origin + ", provider '" + p.id + "'");
        if (catalog.find(p.id)) named.fail("the id is used twice");
        p.display_name = named.text("display_name");
        if (auto domains = node.find("domains"); domains != node.end() && domains->is_array())
            for (const auto& d : *domains) p.domains.push_back(lower(d.get<std::string>()));
        if (auto oauth = node.find("oauth"); oauth != node.end()) p.oauth = read_oauth(Reader(*oauth, named.where()));
        p.servers = read_servers(named, "servers");
        p.fallback_servers = read_servers(named, "fallback_servers");
        if (p.servers.empty()) named.fail("\"servers\" names no server");
        p.server_saves_sent = node.value("server_saves_sent", false);
        catalog.providers_.push_back(std::move(p));
    }
    return catalog;
}

ProviderCatalog ProviderCatalog::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(ErrorCategory::Storage, "Tern cannot read the provider definitions " + file.string() +
                                                ". Check the path given with --providers or TERN_PROVIDERS.");
    return parse(std::string(std::istreambuf_iterator<char>(in), {}), file.string());
}

const Provider* ProviderCatalog::find(const std::string& id) const {
    for (const auto& p : providers_)
        if (p.id == id) return &p;
    return nullptr;
}

const Provider* ProviderCatalog::for_email(const std::string& email) const {
    const auto at = email.rfind('@');
    if (at == std::string::npos) return nullptr;
    const auto domain = lower(email.substr(at + 1));
    for (const auto& p : providers_)
        if (std::find(p.domains.begin(), p.domains.end(), domain) != p.domains.end()) return &p;
    return nullptr;
}

std::filesystem::path providers_file(const std::optional<std::filesystem::path>& option) {
    if (option && !option->empty()) return *option;
    if (const char* env = std::getenv("TERN_PROVIDERS"); env && *env) return env;
    return build::providers_file;
}

}  // namespace tern::accounts
