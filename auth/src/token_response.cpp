#include "tern/auth/token_response.hpp"

#include "tern/core/error.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <regex>

namespace tern::auth {
namespace {

std::string string_field(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

[[noreturn]] void malformed(const std::string& why) {
    throw Error(ErrorCategory::Protocol,
                "The sign-in service answered in a way Tern did not understand. Try again later.",
                "token endpoint: " + why);
}

}  // namespace

long TokenEndpointError::aadsts() const {
    if (!error_codes.empty()) return error_codes.front();
    static const std::regex code(R"(AADSTS(\d+))");
    std::smatch m;
    if (std::regex_search(description, m, code)) return std::strtol(m[1].str().c_str(), nullptr, 10);
    return 0;
}

TokenGrant parse_token_grant(const HttpResponse& response, Clock::time_point now) {
    const auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (json.is_discarded() || !json.is_object()) malformed("body is not a JSON object");
    const auto access = string_field(json, "access_token");
    if (access.empty()) malformed("no access_token");
    const auto type = string_field(json, "token_type");
    if (!type.empty() && type != "Bearer" && type != "bearer") malformed("token_type " + type);

    long expires_in = 3600;  // RFC 6749 makes it optional; Microsoft always sends it
    if (auto it = json.find("expires_in"); it != json.end()) {
        if (it->is_number_integer())
            expires_in = it->get<long>();
        else if (it->is_string())
            expires_in = std::strtol(it->get<std::string>().c_str(), nullptr, 10);
    }
    if (expires_in <= 0) malformed("expires_in " + std::to_string(expires_in));

    TokenGrant grant;
    grant.access_token = Secret(access);
    if (auto refresh = string_field(json, "refresh_token"); !refresh.empty()) grant.refresh_token = Secret(refresh);
    grant.expires_at = now + std::chrono::seconds(expires_in);
    grant.scope = string_field(json, "scope");
    return grant;
}

TokenEndpointError parse_token_error(const HttpResponse& response) {
    TokenEndpointError error;
    error.http_status = response.status;
    if (auto retry = response.header("retry-after")) {
        char* end = nullptr;
        const long seconds = std::strtol(retry->c_str(), &end, 10);
        if (end != retry->c_str() && seconds >= 0) error.retry_after_seconds = seconds;
    }
    const auto json = nlohmann::json::parse(response.body, nullptr, false);
    if (json.is_discarded() || !json.is_object()) return error;
    error.error = string_field(json, "error");
    error.description = string_field(json, "error_description");
    if (auto it = json.find("error_codes"); it != json.end() && it->is_array())
        for (const auto& code : *it)
            if (code.is_number_integer()) error.error_codes.push_back(code.get<long>());
    return error;
}

}  // namespace tern::auth
