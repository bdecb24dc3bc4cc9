#include "tern/accounts/provider_catalog.hpp"
#include "tern/core/text.hpp"

#include "tern/core/build_config.hpp"
#include "tern/core/error.hpp"

#include "json_source_map.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

namespace tern::accounts {
namespace {

using nlohmann::json;


// A value from the file quoted in a message: short, and on one line. Lists and objects are only
// named (dump() recurses, and a file may nest as deep as it likes).
std::string quoted(const json& value) {
    if (value.is_array()) return "a list [ ... ]";
    if (value.is_object()) return "an object { ... }";
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

// nlohmann quotes the whole token it was reading ("last read: '...'"), which can be a long line or
// the rest of the file: its last 40 bytes show the place well enough.
void shorten_last_read(std::string& what) {
    const std::string marker = "last read: '";
    const auto begin = what.find(marker);
    if (begin == std::string::npos) return;
    const auto from = begin + marker.size();
    auto end = what.rfind("'; expected ");
    if (end == std::string::npos || end < from) end = what.size() - 1;
    if (end <= from || end - from <= 40) return;
    auto keep = end - 40;
    while (keep < end && (static_cast<unsigned char>(what[keep]) & 0xC0) == 0x80) ++keep;  // not inside a UTF-8 character
    what.replace(from, keep - from, "...");
}

// The file being read: its name and text, and where its values are. Every error names the file
// and the line; the map of lines is only built when something is wrong.
class Source {
public:
    Source(const std::string& text, std::string origin) : text_(text), origin_(std::move(origin)) {}

    std::optional<std::size_t> line_of(const std::string& pointer) const {
        if (!map_) map_.emplace(text_);
        return map_->line_of(pointer);
    }
    // "FILE line N: provider 'ID': WHAT." (the provider and the line are left out when unknown).
    [[noreturn]] void fail(const std::string& pointer, const std::string& provider, const std::string& what) const {
        std::string message = origin_;
        if (const auto line = line_of(pointer)) message += " line " + std::to_string(*line);
        message += ": ";
        if (!provider.empty()) message += provider + ": ";
        throw Error(ErrorCategory::BadInput, message + what + ".");
    }
    // "FILE line N, column M: WHAT." for a place nlohmann names no pointer for.
    [[noreturn]] void fail_at_offset(std::size_t offset, const std::string& what) const {
        const auto at = position_at(text_, offset);
        throw Error(ErrorCategory::BadInput, origin_ + " line " + std::to_string(at.line) + ", column " +
                                                 std::to_string(at.column) + ": " + what + ".");
    }
    [[noreturn]] void syntax_error(const json::parse_error& e) const {
        const auto at = position_at(text_, e.byte == 0 ? 0 : e.byte - 1);
        // nlohmann says "[json.exception.parse_error.101] parse error at line 1, column 2: syntax
        // error while parsing value - invalid literal; last read: 'x'": keep the part after " - ".
        std::string what = e.what();
        if (auto dash = what.find(" - "); dash != std::string::npos) what = what.substr(dash + 3);
        shorten_last_read(what);
        throw Error(ErrorCategory::BadInput,
                    origin_ + " line " + std::to_string(at.line) + ", column " + std::to_string(at.column) +
                        ": this is not well-formed JSON (" + what +
                        "). Look for a missing or extra comma, quote, brace or bracket at or just before this place.",
                    e.what());
    }

private:
    const std::string& text_;
    std::string origin_;
    mutable std::optional<JsonSourceMap> map_;
};

// Reads one JSON object of the file. `pointer` says where it is ("/providers/0/servers/imap"),
// `field` how messages name its members ("servers.imap."), `provider` whose it is ("provider 'outlook'").
class Reader {
public:
    Reader(const Source& source, const json& node, std::string pointer, std::string field, std::string provider)
        : source_(source), node_(node), pointer_(std::move(pointer)), field_(std::move(field)),
          provider_(std::move(provider)) {}

    // The member `key`, or nullptr when it is absent or null.
    const json* member(const std::string& key) const {
        auto it = node_.find(key);
        return it == node_.end() || it->is_null() ? nullptr : &*it;
    }
    // The object in member `key`; nullopt when it is absent and not `required`.
    std::optional<Reader> object(const std::string& key, bool required, const std::string& hint = {}) const {
        const json* value = member(key);
        if (!value) {
            if (required) fail_missing(key, hint);
            return std::nullopt;
        }
        if (!value->is_object()) fail_at(key, name(key) + " must be an object { ... }" + hint);
        return Reader(source_, *value, pointer_of(key), field_ + key + ".", provider_);
    }
    std::string text(const std::string& key, bool required = true) const {
        const json* value = member(key);
        if (!value) {
            if (required) fail_missing(key);
            return {};
        }
        if (!value->is_string()) fail_at(key, name(key) + " must be text in quotes, not " + quoted(*value));
        auto out = value->get<std::string>();
        if (required && out.empty()) fail_at(key, name(key) + " must not be empty");
        return out;
    }
    bool flag(const std::string& key, bool fallback) const {
        const json* value = member(key);
        if (!value) return fallback;
        if (!value->is_boolean()) fail_at(key, name(key) + " must be true or false, not " + quoted(*value));
        return value->get<bool>();
    }
    // A list of text; an absent list is empty.
    std::vector<std::string> texts(const std::string& key) const {
        std::vector<std::string> out;
        const json* value = member(key);
        if (!value) return out;
        if (!value->is_array()) fail_at(key, name(key) + " must be a list [ ... ] of text in quotes");
        for (std::size_t i = 0; i < value->size(); ++i) {
            if (!(*value)[i].is_string())
                source_.fail(pointer_of(key) + "/" + std::to_string(i), provider_,
                             name(key) + " must hold only text in quotes, not " + quoted((*value)[i]));
            out.push_back((*value)[i].get<std::string>());
        }
        return out;
    }

    // How messages name member `key`: "servers.imap.port" in quotes.
    std::string name(const std::string& key) const { return "\"" + field_ + key + "\""; }
    std::string pointer_of(const std::string& key) const { return pointer_ + "/" + pointer_token(key); }
    // An error on member `key` (its line), or on this object itself (the line where it starts).
    [[noreturn]] void fail_at(const std::string& key, const std::string& what) const {
        source_.fail(pointer_of(key), provider_, what);
    }
    [[noreturn]] void fail(const std::string& what) const { source_.fail(pointer_, provider_, what); }
    [[noreturn]] void fail_missing(const std::string& key, const std::string& hint = {}) const {
        fail(name(key) + " is missing" + hint);
    }

    const json& node() const { return node_; }

private:
    const Source& source_;
    const json& node_;
    std::string pointer_;
    std::string field_;
    std::string provider_;
};

int read_port(const Reader& server) {
    const json* port = server.member("port");
    if (!port) server.fail_missing("port", " (a number from 1 to 65535, e.g. 993)");
    // Integers only: 993.0 or "993" are refused; unsigned and signed are compared without overflow.
    const bool in_range = (port->is_number_unsigned() && port->get<std::uint64_t>() >= 1 &&
                           port->get<std::uint64_t>() <= 65535) ||
                          (port->is_number_integer() && !port->is_number_unsigned() &&
                           port->get<std::int64_t>() >= 1 && port->get<std::int64_t>() <= 65535);
    if (!in_range) server.fail_at("port", server.name("port") + " must be a number from 1 to 65535, not " + quoted(*port));
    return static_cast<int>(port->get<std::int64_t>());
}

mail::ServerEndpoint read_server(const Reader& server, mail::MailProtocol protocol) {
    mail::ServerEndpoint endpoint;
    endpoint.protocol = protocol;
    endpoint.host = server.text("host");
    endpoint.port = read_port(server);
    const auto tls_text = server.text("tls");
    const auto tls = mail::tls_from_string(tls_text);
    if (!tls)
        server.fail_at("tls", server.name("tls") + " is the TLS mode: it must be \"ssl\", \"starttls\" or \"none\", not \"" +
                                  tls_text + "\"");
    endpoint.tls = *tls;
    return endpoint;
}

const char* const known_protocols = "Tern knows \"imap\", \"pop3\" and \"smtp\"";

std::map<mail::MailProtocol, mail::ServerEndpoint> read_servers(const Reader& provider, const std::string& key) {
    std::map<mail::MailProtocol, mail::ServerEndpoint> out;
    const auto servers = provider.object(key, false, " mapping \"imap\", \"pop3\" or \"smtp\" to a server");
    if (!servers) return out;
    for (const auto& item : servers->node().items()) {
        const std::string& name = item.key();
        const auto protocol = mail::protocol_from_string(name);
        if (!protocol) servers->fail_at(name, servers->name(name) + " is not a protocol: " + known_protocols);
        out[*protocol] = read_server(*servers->object(name, true), *protocol);
    }
    if (out.empty())
        servers->fail(provider.name(key) + " names no server: give at least one of \"imap\", \"pop3\", \"smtp\"" +
                      (key == "servers" ? ", or leave \"servers\" out for a provider without OAuth whose servers come "
                                          "from autodetection or the --imap and --smtp options"
                                        : ", or leave it out"));
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
    if (r.member("sasl_mechanism")) {
        o.sasl_mechanism = r.text("sasl_mechanism");
        if (o.sasl_mechanism != "XOAUTH2" && o.sasl_mechanism != "OAUTHBEARER")
            r.fail_at("sasl_mechanism", r.name("sasl_mechanism") + " must be \"XOAUTH2\" or \"OAUTHBEARER\", not \"" +
                                            o.sasl_mechanism + "\"");
    }
    const auto scopes = r.object("scopes", true, " (e.g. \"scopes\": {\"imap\": [\"...\", \"offline_access\"]})");
    for (const auto& item : scopes->node().items()) {
        const std::string& name = item.key();
        const auto protocol = mail::protocol_from_string(name);
        if (!protocol) scopes->fail_at(name, scopes->name(name) + " is not a protocol: " + known_protocols);
        o.scopes[*protocol] = scopes->texts(name);
    }
    return o;
}

// "provider 'outlook'", or for a provider whose id cannot be read, its place in the list.
std::string provider_label(const json& node, std::size_t index) {
    auto id = node.is_object() ? node.find("id") : node.end();
    if (id != node.end() && id->is_string() && !id->get<std::string>().empty())
        return "provider '" + id->get<std::string>() + "'";
    return "provider number " + std::to_string(index + 1);
}

Provider read_provider(const Source& source, const json& node, std::size_t index) {
    const std::string pointer = "/providers/" + std::to_string(index);
    const Reader r(source, node, pointer, "", provider_label(node, index));
    if (!node.is_object()) r.fail("each provider must be an object { \"id\": ..., \"display_name\": ..., ... }");
    Provider p;
    p.id = r.text("id");
    p.display_name = r.text("display_name");
    for (auto& domain : r.texts("domains")) p.domains.push_back(ascii_lower(domain));
    if (const auto oauth = r.object("oauth", false)) p.oauth = read_oauth(*oauth);
    if (p.oauth && !r.member("servers"))
        r.fail_missing("servers", ": a provider with \"oauth\" needs the servers that accept its sign-in");
    p.servers = read_servers(r, "servers");
    p.fallback_servers = read_servers(r, "fallback_servers");
    p.server_saves_sent = r.flag("server_saves_sent", false);
    return p;
}

// The list of providers; an id used twice is refused, naming both places.
std::vector<Provider> read_providers(const Source& source, const json& root) {
    const Reader top(source, root, "", "", "");
    const json* list = top.member("providers");
    if (!list) top.fail_missing("providers", " (a list [ ... ] of providers)");
    if (!list->is_array()) top.fail_at("providers", "\"providers\" must be a list [ ... ] of providers");
    std::vector<Provider> out;
    std::map<std::string, std::size_t> seen;  // id -> index
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto p = read_provider(source, (*list)[i], i);
        if (auto [it, fresh] = seen.emplace(p.id, i); !fresh) {
            const auto first = source.line_of("/providers/" + std::to_string(it->second) + "/id");
            source.fail("/providers/" + std::to_string(i) + "/id", "provider '" + p.id + "'",
                        "the id \"" + p.id + "\" is already used by the provider" +
                            (first ? " on line " + std::to_string(*first) : std::string()) +
                            ": give each provider its own id");
        }
        out.push_back(std::move(p));
    }
    return out;
}

// Where the first number too large for a double starts (nlohmann refuses it with out_of_range,
// which carries no position), skipping strings.
std::size_t first_overflowing_number(const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            for (++i; i < text.size() && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t end = i + 1;
            while (end < text.size() && std::strchr("0123456789+-.eE", text[end]) != nullptr) ++end;
            const std::string token = text.substr(i, end - i);
            if (std::isinf(std::strtod(token.c_str(), nullptr))) return i;
            i = end - 1;
        }
    }
    return 0;
}

std::vector<Provider> read_catalog(const Source& source, const std::string& text) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        source.syntax_error(e);
    } catch (const json::out_of_range&) {
        source.fail_at_offset(first_overflowing_number(text), "a number is too large to be read (more than about "
                                                              "1e308); ports, formats and counts are small numbers");
    }
    const Reader top(source, root, "", "", "");
    if (!root.is_object())
        top.fail("the file must hold one JSON object { \"format\": 1, \"providers\": [ ... ] }, not " + quoted(root));
    const json* format = top.member("format");
    if (!format) top.fail_missing("format", " (this version of Tern reads \"format\": 1)");
    if (!format->is_number_integer() || format->get<std::int64_t>() != 1)
        top.fail_at("format", "\"format\" is " + quoted(*format) + ", but this version of Tern reads only format 1");
    return read_providers(source, root);
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
    const Source source(json_text, origin);
    ProviderCatalog catalog;
    try {
        catalog.providers_ = read_catalog(source, json_text);
    } catch (const json::exception& e) {
        // Every check above throws tern::Error itself: reaching this is a bug in the loader.
        throw Error(ErrorCategory::Internal,
                    "Tern could not read the provider definitions in " + origin + " (a bug in Tern's loader).", e.what());
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
    const auto domain = ascii_lower(email.substr(at + 1));
    for (const auto& p : providers_)
        if (std::find(p.domains.begin(), p.domains.end(), domain) != p.domains.end()) return &p;
    return nullptr;
}

namespace {

// The running program's own file, or empty when the system does not say.
std::filesystem::path running_executable() {
    std::error_code ec;
#if defined(_WIN32)
    std::wstring buffer(MAX_PATH, L'\0');
    for (;;) {
        const DWORD n = GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
        if (n == 0) return {};
        if (n < buffer.size()) return std::filesystem::path(buffer.substr(0, n));
        buffer.resize(buffer.size() * 2);
    }
#elif defined(__APPLE__)
    uint32_t size = 0;
    _NSGetExecutablePath(nullptr, &size);
    std::string buffer(size, '\0');
    if (_NSGetExecutablePath(buffer.data(), &size) != 0) return {};
    auto path = std::filesystem::canonical(buffer.c_str(), ec);
    return ec ? std::filesystem::path() : path;
#else
    auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : path;
#endif
}

}  // namespace

std::filesystem::path installed_providers_file(const std::filesystem::path& executable) {
    return (executable.parent_path() / build::installed_providers_relative).lexically_normal();
}

std::filesystem::path providers_file(const std::optional<std::filesystem::path>& option) {
    if (option && !option->empty()) return *option;
    if (const char* env = std::getenv("TERN_PROVIDERS"); env && *env) return env;
    if (const auto exe = running_executable(); !exe.empty()) {
        std::error_code ec;
        if (auto installed = installed_providers_file(exe); std::filesystem::is_regular_file(installed, ec))
            return installed;
    }
    return build::providers_file;
}

}  // namespace tern::accounts
