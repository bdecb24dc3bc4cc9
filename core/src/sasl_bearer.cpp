#include "tern/core/sasl_bearer.hpp"

#include "tern/core/base64.hpp"
#include "tern/core/redaction.hpp"

#include <nlohmann/json.hpp>

namespace tern {
namespace {

Secret remembered(std::string encoded) {
    remember_secret(encoded);  // the encoded form hides the token from the plain-text rules
    return Secret(std::move(encoded));
}

// RFC 5801 saslname: '=' and ',' must be escaped in the authorization identity.
std::string saslname(const std::string& user) {
    std::string out;
    for (char c : user) {
        if (c == '=')
            out += "=3D";
        else if (c == ',')
            out += "=2C";
        else
            out += c;
    }
    return out;
}

std::string text_of(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

Secret xoauth2_client_message(const std::string& user, const Secret& access_token) {
    return Secret("user=" + user + "\x01" "auth=Bearer " + std::string(access_token.reveal()) + "\x01\x01");
}

Secret xoauth2_initial_response(const std::string& user, const Secret& access_token) {
    return remembered(base64_encode(xoauth2_client_message(user, access_token).reveal()));
}

Secret oauthbearer_client_message(const std::string& user, const std::string& host, int port,
                                  const Secret& access_token) {
    return Secret("n,a=" + saslname(user) + ",\x01" "host=" + host + "\x01" "port=" + std::to_string(port) +
                  "\x01" "auth=Bearer " + std::string(access_token.reveal()) + "\x01\x01");
}

Secret oauthbearer_initial_response(const std::string& user, const std::string& host, int port,
                                    const Secret& access_token) {
    return remembered(base64_encode(oauthbearer_client_message(user, host, port, access_token).reveal()));
}

std::optional<SaslErrorChallenge> parse_sasl_error_challenge(const std::string& base64_text) {
    const auto decoded = base64_decode(base64_text);
    if (!decoded) return std::nullopt;
    const auto json = nlohmann::json::parse(*decoded, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("status")) return std::nullopt;
    return SaslErrorChallenge{text_of(json, "status"), text_of(json, "schemes"), text_of(json, "scope"),
                              text_of(json, "openid-configuration")};
}

}  // namespace tern
