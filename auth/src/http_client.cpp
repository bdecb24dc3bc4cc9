// The transport-independent parts of http_client.hpp: encodings, header lookup, options.
#include "tern/auth/http_client.hpp"
#include "tern/core/text.hpp"

#include "tern/core/build_config.hpp"

#include <cstdlib>

namespace tern::auth {
namespace {

bool is_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}


}  // namespace

std::optional<std::string> HttpResponse::header(const std::string& lower_case_name) const {
    // Names are stored lower-cased; comparing without case also forgives a caller's "Content-Type".
    for (const auto& [name, value] : headers)
        if (iequals(name, lower_case_name)) return value;
    return std::nullopt;
}

// RFC 3986: unreserved characters stay, every other byte (UTF-8 included) becomes %XX.
std::string url_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_unreserved(c)) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0x0F]);
        }
    }
    return out;
}

// Space becomes %20, not '+': every form decoder percent-decodes, and a literal '+' is then
// never ambiguous (it is sent as %2B).
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        if (!out.empty()) out.push_back('&');
        out += url_encode(name);
        out.push_back('=');
        out += url_encode(value);
    }
    return out;
}

HttpClientOptions http_options_from_environment() {
    HttpClientOptions options;
    if (const char* ca_file = std::getenv("TERN_CA_FILE"); ca_file != nullptr && *ca_file != '\0')
        options.extra_ca_file = std::filesystem::path(ca_file);
    options.user_agent = std::string("Tern/") + build::version;
    return options;
}

}  // namespace tern::auth
