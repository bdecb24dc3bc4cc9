// HttpClient over libcurl (OpenSSL backend): one easy handle per request, so one client object
// serves any number of threads at once. Verification is always on; the only trust knob is an
// extra CA bundle added to (never replacing) the system store.
#include "tern/auth/http_client.hpp"
#include "tern/core/text.hpp"

#include "tern/core/error.hpp"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string_view>

namespace tern::auth {
namespace {

// Far above any token or discovery document; a bigger answer is a misdirected or hostile server.
constexpr std::size_t max_body_bytes = 16 * 1024 * 1024;

struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using CaList = std::vector<X509Ptr>;

struct EasyCleanup {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct UrlCleanup {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct SlistFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct CurlFree {
    void operator()(char* text) const { curl_free(text); }
};

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
        if (rc != CURLE_OK)
            throw Error(ErrorCategory::Internal, {},
                        std::string("curl_global_init: ") + curl_easy_strerror(rc));
    });
}

// ---- the extra CA bundle -----------------------------------------------------------------------

CaList load_ca_bundle(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(ErrorCategory::BadInput,
                    "Tern cannot find the extra trusted certificate file " + path.string() +
                        " (TERN_CA_FILE). Check the path or remove the setting.",
                    ec ? ec.message() : "not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCategory::Storage,
                    "Tern cannot read the extra trusted certificate file " + path.string() +
                        " (TERN_CA_FILE). Check that it is readable.");
    const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

    CaList certs;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio) throw Error(ErrorCategory::Internal, {}, "BIO_new_mem_buf failed");
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        certs.emplace_back(cert);
    ERR_clear_error();  // the read that ends the loop leaves "no start line" on the queue
    if (certs.empty())
        throw Error(ErrorCategory::BadInput,
                    "The extra trusted certificate file " + path.string() +
                        " (TERN_CA_FILE) holds no PEM certificate. Check the file.");
    return certs;
}

// Runs after curl has loaded its default CA bundle into the context: add ours to the same store.
CURLcode add_extra_cas(CURL* /*handle*/, void* ssl_ctx, void* user) {
    const auto* certs = static_cast<const CaList*>(user);
    X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
    for (const auto& cert : *certs) {
        // OpenSSL 1.1.1+ returns success for a certificate already in the store.
        if (X509_STORE_add_cert(store, cert.get()) != 1) {
            ERR_clear_error();
            return CURLE_SSL_CACERT_BADFILE;
        }
    }
    return CURLE_OK;
}

// ---- the target --------------------------------------------------------------------------------

struct Target {
    std::unique_ptr<CURLU, UrlCleanup> url;
    std::string scheme;
    std::string host;     // as a person would write it: "login.microsoftonline.com", "[::1]"
    std::string for_log;  // scheme://host[:port]/path, no query (it may carry codes)
    bool loopback = false;
};

std::string url_part(CURLU* url, CURLUPart part) {
    char* raw = nullptr;
    if (curl_url_get(url, part, &raw, 0) != CURLUE_OK || raw == nullptr) return {};
    std::unique_ptr<char, CurlFree> owned(raw);
    return std::string(raw);
}


bool is_loopback_host(const std::string& host) {
    const std::string lower = ascii_lower(host);
    return lower == "127.0.0.1" || lower == "localhost" || lower == "[::1]";
}

// Refuses, before any connection, every URL that is not HTTPS or loopback plain HTTP.
Target parse_target(const std::string& raw_url) {
    Target target;
    target.url.reset(curl_url());
    if (!target.url) throw Error(ErrorCategory::Internal, {}, "curl_url() failed");
    if (const CURLUcode rc = curl_url_set(target.url.get(), CURLUPART_URL, raw_url.c_str(), 0);
        rc != CURLUE_OK)
        throw Error(ErrorCategory::BadInput, "Tern cannot use this web address: it is not valid.",
                    curl_url_strerror(rc));
    target.scheme = url_part(target.url.get(), CURLUPART_SCHEME);
    target.host = url_part(target.url.get(), CURLUPART_HOST);
    target.loopback = is_loopback_host(target.host);
    const std::string port = url_part(target.url.get(), CURLUPART_PORT);
    target.for_log = target.scheme + "://" + target.host + (port.empty() ? "" : ":" + port) +
                     url_part(target.url.get(), CURLUPART_PATH);
    if (target.scheme == "https" || (target.scheme == "http" && target.loopback)) return target;
    if (target.scheme == "http")
        throw Error(ErrorCategory::BadInput,
                    "Tern only talks to " + target.host +
                        " over a secure connection (https://), and this address is http://.",
                    "plain HTTP is allowed to 127.0.0.1, localhost and [::1] only");
    throw Error(ErrorCategory::BadInput,
                "Tern cannot use the address for " + target.host + ": only https:// is supported.",
                "scheme '" + target.scheme + "'");
}

// ---- one transfer ------------------------------------------------------------------------------

struct Transfer {
    const CancelToken* cancel = nullptr;
    HttpResponse response;
    bool body_too_large = false;
    std::array<char, CURL_ERROR_SIZE> error_buffer{};
};

size_t on_body(char* data, size_t size, size_t count, void* user) noexcept {
    auto* transfer = static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    if (transfer->response.body.size() + bytes > max_body_bytes) {
        transfer->body_too_large = true;
        return 0;  // curl stops with CURLE_WRITE_ERROR
    }
    try {
        transfer->response.body.append(data, bytes);
    } catch (...) {
        return 0;
    }
    return bytes;
}

std::string_view trim(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

size_t on_header(char* data, size_t size, size_t count, void* user) noexcept {
    auto* transfer = static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    const std::string_view line(data, bytes);
    try {
        auto& headers = transfer->response.headers;
        if (line.rfind("HTTP/", 0) == 0) {
            headers.clear();  // a new response starts (after 100 Continue or a proxy's CONNECT)
        } else if (!headers.empty() && (line.front() == ' ' || line.front() == '\t')) {
            headers.back().second += " " + std::string(trim(line));  // obsolete line folding
        } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
            headers.emplace_back(ascii_lower(std::string(trim(line.substr(0, colon)))),
                                 std::string(trim(line.substr(colon + 1))));
        }
    } catch (...) {
        return 0;
    }
    return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
    const auto* transfer = static_cast<const Transfer*>(user);
    return (transfer->cancel != nullptr && transfer->cancel->cancelled()) ? 1 : 0;
}

// ---- failures ----------------------------------------------------------------------------------

// What a person reads when the certificate check failed, from OpenSSL's verify result, or from
// curl's own host-name check, which runs after OpenSSL accepted the chain.
std::string certificate_wording(long verify_result, bool host_mismatch, const std::string& host) {
    const std::string not_connected = " Tern did not connect, to keep the sign-in safe.";
    if (host_mismatch || verify_result == X509_V_ERR_HOSTNAME_MISMATCH)
        return "The security certificate presented by " + host +
               " belongs to a different server name (wrong host)." + not_connected +
               " Check the server name.";
    switch (verify_result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return "The security certificate of " + host + " has expired." + not_connected +
               " Check this computer's date and time; otherwise the server's administrator must "
               "renew it.";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "The security certificate of " + host + " is not valid yet." + not_connected +
               " Check this computer's date and time.";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return "The security certificate of " + host +
               " is self-signed and not trusted by this computer." + not_connected;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return "The security certificate of " + host +
               " was issued by an authority this computer does not trust (unknown issuer)." +
               not_connected + " A network that intercepts secure connections causes this too.";
    case X509_V_ERR_CERT_REVOKED:
        return "The security certificate of " + host + " has been revoked." + not_connected;
    default:
        return "The security certificate of " + host + " is not trusted." + not_connected;
    }
}

struct CurlFailure {
    CURLcode code;
    ErrorCategory category;
    const char* wording;  // "{host}" is replaced; nullptr: certificate_wording()
};

// Every curl result Tern can meet, in one place. Codes not listed are Internal.
constexpr std::array<CurlFailure, 27> curl_failures{{
    {CURLE_COULDNT_RESOLVE_HOST, ErrorCategory::Network,
     "Tern cannot find the server {host}. Check the network connection."},
    {CURLE_COULDNT_RESOLVE_PROXY, ErrorCategory::Network,
     "Tern cannot find the proxy server set for this computer (https_proxy). Check the network "
     "connection and the proxy setting."},
    {CURLE_COULDNT_CONNECT, ErrorCategory::Network,
     "Tern cannot connect to {host}: the connection was refused or the server cannot be reached. "
     "Check the network connection."},
    {CURLE_PROXY, ErrorCategory::Network,
     "The proxy server set for this computer refused the connection to {host}. Check the proxy "
     "setting."},
    {CURLE_INTERFACE_FAILED, ErrorCategory::Network,
     "Tern cannot open a network connection to {host}. Check the network connection."},
    {CURLE_OPERATION_TIMEDOUT, ErrorCategory::Timeout,
     "{host} did not answer in time. Check the network connection and try again."},
    {CURLE_PEER_FAILED_VERIFICATION, ErrorCategory::TlsCertificate, nullptr},
    {CURLE_SSL_ISSUER_ERROR, ErrorCategory::TlsCertificate, nullptr},
    {CURLE_SSL_INVALIDCERTSTATUS, ErrorCategory::TlsCertificate, nullptr},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, ErrorCategory::TlsCertificate,
     "The security certificate of {host} is not the one Tern expects. Tern did not connect, to "
     "keep the sign-in safe."},
    {CURLE_SSL_CACERT_BADFILE, ErrorCategory::TlsCertificate,
     "Tern cannot load the trusted certificates of this computer, so it cannot check {host}. "
     "Check that the system's CA certificates are installed."},
    {CURLE_SSL_CRL_BADFILE, ErrorCategory::TlsCertificate,
     "Tern cannot load the certificate revocation list, so it cannot check {host}."},
    {CURLE_SSL_CERTPROBLEM, ErrorCategory::TlsCertificate,
     "Tern cannot use the certificate for the connection to {host}."},
    {CURLE_SSL_CONNECT_ERROR, ErrorCategory::TlsHandshake,
     "Tern could not set up a secure connection with {host}: the server does not speak a TLS "
     "version or cipher Tern accepts, or something on the network broke the connection."},
    {CURLE_SSL_CIPHER, ErrorCategory::TlsHandshake,
     "Tern and {host} have no secure cipher in common, so Tern did not connect."},
    {CURLE_SSL_SHUTDOWN_FAILED, ErrorCategory::Network,
     "The secure connection to {host} was not closed cleanly. Try again."},
    {CURLE_SEND_ERROR, ErrorCategory::Network,
     "The connection to {host} broke while Tern was sending. Check the network connection and "
     "try again."},
    {CURLE_RECV_ERROR, ErrorCategory::Network,
     "The connection to {host} broke while Tern was receiving. Check the network connection and "
     "try again."},
    {CURLE_GOT_NOTHING, ErrorCategory::Network,
     "{host} closed the connection without answering. Try again later."},
    {CURLE_PARTIAL_FILE, ErrorCategory::Network,
     "The answer from {host} was cut off. Check the network connection and try again."},
    {CURLE_HTTP2, ErrorCategory::Network,
     "The connection to {host} failed (HTTP/2 error). Try again."},
    {CURLE_HTTP2_STREAM, ErrorCategory::Network,
     "The connection to {host} failed (HTTP/2 stream error). Try again."},
    {CURLE_WEIRD_SERVER_REPLY, ErrorCategory::Protocol,
     "{host} answered with something that is not HTTP. Check the server address."},
    {CURLE_BAD_CONTENT_ENCODING, ErrorCategory::Protocol,
     "{host} sent an answer Tern cannot decode."},
    {CURLE_WRITE_ERROR, ErrorCategory::Protocol,
     "{host} sent an answer larger than 16 MiB, far more than Tern expects; Tern stopped reading "
     "it."},
    {CURLE_ABORTED_BY_CALLBACK, ErrorCategory::Cancelled, "The request to {host} was cancelled."},
    {CURLE_UNSUPPORTED_PROTOCOL, ErrorCategory::BadInput,
     "Tern cannot use the address for {host}: only https:// is supported."},
}};

std::string with_host(std::string_view wording, const std::string& host) {
    constexpr std::string_view placeholder = "{host}";
    std::string text(wording);
    for (auto at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + host.size()))
        text.replace(at, placeholder.size(), host);
    return text;
}

// curl sets the verify result to X509_V_ERR_UNSPECIFIED when a connection starts and updates it
// only when OpenSSL has checked the chain: that value and X509_V_OK tell nothing about a failure.
bool verify_result_known(long verify_result) {
    return verify_result != X509_V_OK && verify_result != X509_V_ERR_UNSPECIFIED;
}

// curl's host-name check leaves the verify result alone; its error text is all that says so
// ("no alternative certificate subject name matches target host name", "certificate subject
// name 'x' does not match target host name 'y'").
bool curl_reported_host_mismatch(const Transfer& transfer) {
    return std::string_view(transfer.error_buffer.data()).find("target host name") !=
           std::string_view::npos;
}

// The single mapping from a curl result (plus what OpenSSL said) to a tern::Error.
Error transfer_error(CURLcode code, CURL* handle, const Transfer& transfer, const std::string& host,
                     ProtocolContext context) {
    long verify_result = X509_V_OK;
    curl_easy_getinfo(handle, CURLINFO_SSL_VERIFYRESULT, &verify_result);

    std::string detail = "curl " + std::to_string(static_cast<int>(code)) + " (" +
                         curl_easy_strerror(code) + ")";
    if (transfer.error_buffer[0] != '\0') detail += ": " + std::string(transfer.error_buffer.data());
    if (verify_result_known(verify_result))
        detail += "; verify result " + std::to_string(verify_result) + " (" +
                  X509_verify_cert_error_string(verify_result) + ")";

    if (code == CURLE_WRITE_ERROR && !transfer.body_too_large)
        return Error(ErrorCategory::Internal, {}, detail, std::move(context));
    // A handshake that failed on the certificate is a certificate problem, whatever curl calls it.
    const bool host_mismatch = curl_reported_host_mismatch(transfer);
    if (code == CURLE_SSL_CONNECT_ERROR && verify_result_known(verify_result))
        return Error(ErrorCategory::TlsCertificate,
                     certificate_wording(verify_result, host_mismatch, host), detail,
                     std::move(context));

    const auto found = std::find_if(curl_failures.begin(), curl_failures.end(),
                                    [code](const CurlFailure& f) { return f.code == code; });
    if (found == curl_failures.end())
        return Error(ErrorCategory::Internal, {}, detail, std::move(context));
    std::string message = found->wording != nullptr
                              ? with_host(found->wording, host)
                              : certificate_wording(verify_result, host_mismatch, host);
    return Error(found->category, std::move(message), detail, std::move(context));
}

// ---- the client --------------------------------------------------------------------------------

template <typename T>
void set_option(CURL* handle, CURLoption option, T value) {
    if (const CURLcode rc = curl_easy_setopt(handle, option, value); rc != CURLE_OK)
        throw Error(ErrorCategory::Internal, {},
                    "curl_easy_setopt(" + std::to_string(static_cast<int>(option)) +
                        "): " + curl_easy_strerror(rc));
}

bool has_header(const HttpRequest& request, std::string_view lower_name) {
    return std::any_of(request.headers.begin(), request.headers.end(), [&](const auto& header) {
        return ascii_lower(header.first) == lower_name;
    });
}

std::unique_ptr<curl_slist, SlistFree> header_list(const HttpRequest& request) {
    std::unique_ptr<curl_slist, SlistFree> list;
    const auto append = [&list](const std::string& line) {
        curl_slist* grown = curl_slist_append(list.get(), line.c_str());
        if (grown == nullptr) throw Error(ErrorCategory::Internal, {}, "curl_slist_append failed");
        list.release();
        list.reset(grown);
    };
    for (const auto& [name, value] : request.headers) {
        const auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
        if (name.empty() || name.find(':') != std::string::npos ||
            std::any_of(name.begin(), name.end(), bad) || std::any_of(value.begin(), value.end(), bad))
            throw Error(ErrorCategory::BadInput, {},
                        "HTTP header '" + name + "' has an empty name, a colon or a line break");
        append(name + ": " + value);
    }
    // curl would otherwise send "Expect: 100-continue" for big bodies and wait for the answer.
    if (!has_header(request, "expect")) append("Expect:");
    return list;
}

void set_method(CURL* handle, const HttpRequest& request) {
    const std::string& method = request.method;
    if (method == "GET" || method == "HEAD") {
        if (!request.body.empty())
            throw Error(ErrorCategory::BadInput, {}, method + " request with a body");
        set_option(handle, method == "GET" ? CURLOPT_HTTPGET : CURLOPT_NOBODY, 1L);
        return;
    }
    if (method != "POST" && method != "PUT" && method != "PATCH" && method != "DELETE")
        throw Error(ErrorCategory::BadInput, {}, "unsupported HTTP method '" + method + "'");
    // The request outlives the transfer, so curl may point into its body without a copy.
    set_option(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set_option(handle, CURLOPT_POSTFIELDS, request.body.c_str());
    if (method != "POST") set_option(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
}

long milliseconds_option(std::chrono::milliseconds value) {
    return static_cast<long>(std::max<std::chrono::milliseconds::rep>(value.count(), 1));
}

class CurlHttpClient final : public HttpClient {
public:
    explicit CurlHttpClient(HttpClientOptions options) : options_(std::move(options)) {
        init_curl_once();
        if (options_.extra_ca_file) extra_cas_ = load_ca_bundle(*options_.extra_ca_file);
    }

    HttpResponse send(const HttpRequest& request, const CancelToken* cancel) override {
        const Target target = parse_target(request.url);
        if (cancel != nullptr) cancel->throw_if_cancelled();

        std::unique_ptr<CURL, EasyCleanup> handle(curl_easy_init());
        if (!handle) throw Error(ErrorCategory::Internal, {}, "curl_easy_init failed");
        Transfer transfer;
        transfer.cancel = cancel;
        const auto headers = header_list(request);
        configure(handle.get(), request, target, transfer, headers.get());

        const auto started = std::chrono::steady_clock::now();
        const CURLcode rc = curl_easy_perform(handle.get());
        const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
        if (rc != CURLE_OK) {
            Error error = transfer_error(rc, handle.get(), transfer, target.host,
                                         {request.method + " " + target.for_log, {}, {}});
            spdlog::debug("{} {} -> failed ({}, curl {}) in {} ms", request.method, target.for_log,
                          to_string(error.category()), static_cast<int>(rc), elapsed_ms);
            throw error;
        }
        curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &transfer.response.status);
        spdlog::debug("{} {} -> {} in {} ms", request.method, target.for_log,
                      transfer.response.status, elapsed_ms);
        return std::move(transfer.response);
    }

private:
    void configure(CURL* handle, const HttpRequest& request, const Target& target,
                   Transfer& transfer, curl_slist* headers) const {
        set_option(handle, CURLOPT_ERRORBUFFER, transfer.error_buffer.data());
        set_option(handle, CURLOPT_CURLU, target.url.get());
        // Only the scheme parse_target accepted; redirects are not followed at all.
        set_option(handle, CURLOPT_PROTOCOLS_STR, target.scheme.c_str());
        set_option(handle, CURLOPT_FOLLOWLOCATION, 0L);
        set_option(handle, CURLOPT_NOSIGNAL, 1L);
        set_option(handle, CURLOPT_SSL_VERIFYPEER, 1L);
        set_option(handle, CURLOPT_SSL_VERIFYHOST, 2L);
        set_option(handle, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
        if (!extra_cas_.empty()) {
            // Not CURLOPT_CAINFO: that would replace the system bundle instead of adding to it.
            set_option(handle, CURLOPT_SSL_CTX_FUNCTION, &add_extra_cas);
            set_option(handle, CURLOPT_SSL_CTX_DATA, static_cast<const void*>(&extra_cas_));
        }
        // Proxies: curl reads https_proxy / all_proxy / no_proxy itself, so no proxy option is
        // set. Loopback never goes through a proxy ("" overrides the environment).
        if (target.loopback) set_option(handle, CURLOPT_PROXY, "");
        set_option(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds_option(request.connect_timeout));
        set_option(handle, CURLOPT_TIMEOUT_MS, milliseconds_option(request.total_timeout));
        set_option(handle, CURLOPT_USERAGENT, options_.user_agent.c_str());
        set_option(handle, CURLOPT_HTTPHEADER, headers);
        set_method(handle, request);
        set_option(handle, CURLOPT_WRITEFUNCTION, &on_body);
        set_option(handle, CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
        set_option(handle, CURLOPT_HEADERFUNCTION, &on_header);
        set_option(handle, CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
        set_option(handle, CURLOPT_NOPROGRESS, 0L);
        set_option(handle, CURLOPT_XFERINFOFUNCTION, &on_progress);
        set_option(handle, CURLOPT_XFERINFODATA, static_cast<void*>(&transfer));
    }

    const HttpClientOptions options_;
    CaList extra_cas_;
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_http_client(HttpClientOptions options) {
    return std::make_unique<CurlHttpClient>(std::move(options));
}

}  // namespace tern::auth
