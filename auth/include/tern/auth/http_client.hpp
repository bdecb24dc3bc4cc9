// HTTPS requests for the sign-in flows. The interface lets tests and the flows share one shape;
// CurlHttpClient is the real one.
#pragma once

#include "tern/core/cancellation.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tern::auth {

struct HttpRequest {
    std::string method = "GET";  // GET or POST
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // sent as is; set a Content-Type header for it
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds total_timeout{std::chrono::seconds(30)};
};

struct HttpResponse {
    long status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;

    std::optional<std::string> header(const std::string& lower_case_name) const;
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    // Any HTTP status is a response, not an error. Transport failures throw tern::Error:
    // Network (DNS, refused, reset), Timeout, TlsCertificate (untrusted, expired, wrong host),
    // TlsHandshake (no common protocol or cipher, handshake aborted), Cancelled, Internal.
    virtual HttpResponse send(const HttpRequest& request, const CancelToken* cancel = nullptr) = 0;
};

struct HttpClientOptions {
    // Extra CA bundle trusted besides the system store (TERN_CA_FILE in tests and the demo).
    std::optional<std::filesystem::path> extra_ca_file;
    std::string user_agent = "Tern";
};

// Reads TERN_CA_FILE from the environment.
HttpClientOptions http_options_from_environment();

// libcurl with OpenSSL: certificate and host verification always on, proxy from the environment
// (https_proxy, no_proxy), redirects not followed (the token endpoints never redirect).
std::unique_ptr<HttpClient> make_curl_http_client(HttpClientOptions options);

// application/x-www-form-urlencoded body from name/value pairs.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);
std::string url_encode(std::string_view text);

}  // namespace tern::auth
