// CurlHttpClient against real TLS peers on 127.0.0.1: trust (system store plus the extra CA),
// every certificate refusal, transport failures, timeouts, cancel, and the loopback-only rule for
// plain HTTP. Nothing here contacts an address other than 127.0.0.1 / localhost.
#include "loopback_servers.hpp"
#include "temp_dir.hpp"
#include "test_pki.hpp"
#include "tern/auth/http_client.hpp"
#include "tern/core/error.hpp"
#include "tern/core/logging.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <future>
#include <iterator>
#include <stdexcept>

using namespace tern;
using namespace tern::auth;
using namespace std::chrono_literals;
using tern::test::RawListener;
using tern::test::RefusingPort;
using tern::test::TestWebServer;
using tern::test::test_pki;

namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<HttpClient> client_trusting(std::optional<std::filesystem::path> ca_file) {
    HttpClientOptions options;
    options.extra_ca_file = std::move(ca_file);
    options.user_agent = "Tern-Test/1.0";
    return make_curl_http_client(options);
}

std::unique_ptr<HttpClient> trusting_test_ca() { return client_trusting(test_pki().ca); }

HttpRequest get(std::string url) {
    HttpRequest request;
    request.url = std::move(url);
    request.connect_timeout = 5s;
    request.total_timeout = 10s;
    return request;
}

// The tern::Error that `action` throws; fails the test when it returns or throws anything else.
template <typename Action>
Error error_from(Action&& action) {
    try {
        action();
    } catch (const Error& error) {
        return error;
    }
    FAIL("expected a tern::Error, the request succeeded");
    throw std::logic_error("unreachable");
}

Error send_error(HttpClient& client, const HttpRequest& request, const CancelToken* cancel = nullptr) {
    return error_from([&] { client.send(request, cancel); });
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Sets (or with nullptr removes) environment variables for one test, restoring them after.
class EnvOverride {
public:
    EnvOverride(std::initializer_list<std::pair<const char*, const char*>> values) {
        for (const auto& [name, value] : values) {
            const char* old = std::getenv(name);
            saved_.push_back({name, old ? std::optional<std::string>(old) : std::nullopt});
            set(name, value);
        }
    }
    ~EnvOverride() {
        for (const auto& [name, value] : saved_) set(name.c_str(), value ? value->c_str() : nullptr);
    }
    EnvOverride(const EnvOverride&) = delete;
    EnvOverride& operator=(const EnvOverride&) = delete;

private:
    static void set(const char* name, const char* value) {
        if (value != nullptr)
            ::setenv(name, value, 1);
        else
            ::unsetenv(name);
    }
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace

TEST_CASE("GET over HTTPS with the test CA trusted returns status, body and headers",
          "[integration][http]") {
    TestWebServer server(test_pki().localhost);
    auto client = trusting_test_ca();

    for (const std::string host : {"127.0.0.1", "localhost"}) {
        INFO(host);
        const HttpResponse response = client->send(get(server.url("/hello", host)));
        CHECK(response.status == 200);
        CHECK(response.body == "hello from the test server");
        CHECK(response.header("x-test") == std::optional<std::string>("yes"));
        CHECK(response.header("content-type") == std::optional<std::string>("text/plain"));
        for (const auto& [name, value] : response.headers) CHECK(name == Catch::toLower(name));
    }
}

TEST_CASE("POST sends the body, the caller's headers and the user agent", "[integration][http]") {
    TestWebServer server(test_pki().localhost);
    auto client = trusting_test_ca();

    HttpRequest request = get(server.url("/echo"));
    request.method = "POST";
    request.body = form_encode({{"grant_type", "device_code"}, {"scope", "a b"}});
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Custom", "42"}};
    const HttpResponse response = client->send(request);

    CHECK(response.status == 201);
    CHECK(response.body == "grant_type=device_code&scope=a%20b");
    CHECK(response.header("x-echo-content-type") ==
          std::optional<std::string>("application/x-www-form-urlencoded"));
    CHECK(response.header("x-echo-user-agent") == std::optional<std::string>("Tern-Test/1.0"));
    CHECK(response.header("x-echo-custom") == std::optional<std::string>("42"));
    CHECK(response.header("x-echo-expect") == std::optional<std::string>("absent"));
}

TEST_CASE("a large POST body goes out at once, without waiting for 100 Continue",
          "[integration][http]") {
    TestWebServer server(test_pki().localhost);
    auto client = trusting_test_ca();

    // curl would add "Expect: 100-continue" to a body of 1 MiB or more.
    HttpRequest request = get(server.url("/echo"));
    request.method = "POST";
    request.body = std::string(2 * 1024 * 1024, 'a');
    request.headers = {{"Content-Type", "application/octet-stream"}};
    const HttpResponse response = client->send(request);
    CHECK(response.status == 201);
    CHECK(response.body == request.body);
    CHECK(response.header("x-echo-expect") == std::optional<std::string>("absent"));

    // The server does report the header when a caller asks for it.
    request.headers.emplace_back("Expect", "100-continue");
    CHECK(client->send(request).header("x-echo-expect") == std::optional<std::string>("present"));
}

TEST_CASE("4xx and 5xx are responses, and a redirect is returned, not followed",
          "[integration][http]") {
    TestWebServer server(test_pki().localhost);
    auto client = trusting_test_ca();

    for (const int status : {400, 401, 404, 429, 500, 503}) {
        const HttpResponse response = client->send(get(server.url("/status/" + std::to_string(status))));
        CHECK(response.status == status);
        CHECK(response.body == "status " + std::to_string(status));
    }
    const HttpResponse redirect = client->send(get(server.url("/redirect")));
    CHECK(redirect.status == 302);
    CHECK(redirect.header("location") == std::optional<std::string>("/hello"));
}

TEST_CASE("an extra CA bundle with several certificates trusts each of them", "[integration][http]") {
    TestWebServer by_test_ca(test_pki().localhost);
    TestWebServer by_other_ca(test_pki().unknown_issuer);
    auto client = client_trusting(test_pki().both_cas);

    CHECK(client->send(get(by_test_ca.url("/hello"))).status == 200);
    CHECK(client->send(get(by_other_ca.url("/hello"))).status == 200);
}

TEST_CASE("without the extra CA file the throwaway CA is not trusted: the system store alone is used",
          "[integration][http]") {
    TestWebServer server(test_pki().localhost);
    auto client = client_trusting(std::nullopt);

    const Error error = send_error(*client, get(server.url("/hello")));
    INFO(error.log_line());
    CHECK(error.category() == ErrorCategory::TlsCertificate);
    CHECK(contains(error.message(), "127.0.0.1"));
    CHECK(contains(error.message(), "unknown issuer"));
}

TEST_CASE("a certificate from an unknown CA is refused as unknown issuer", "[integration][http]") {
    TestWebServer server(test_pki().unknown_issuer);
    auto client = trusting_test_ca();

    const Error error = send_error(*client, get(server.url("/hello")));
    INFO(error.log_line());
    CHECK(error.category() == ErrorCategory::TlsCertificate);
    CHECK(contains(error.message(), "unknown issuer"));
    CHECK(contains(error.detail(), "curl 60"));
}

TEST_CASE("a self-signed certificate is refused", "[integration][http]") {
    TestWebServer server(test_pki().self_signed);
    auto client = trusting_test_ca();

    const Error error = send_error(*client, get(server.url("/hello")));
    INFO(error.log_line());
    CHECK(error.category() == ErrorCategory::TlsCertificate);
    CHECK(contains(error.message(), "self-signed"));
}

TEST_CASE("an expired certificate is refused and the message says expired", "[integration][http]") {
    TestWebServer server(test_pki().expired);
    auto client = trusting_test_ca();

    const Error error = send_error(*client, get(server.url("/hello")));
    INFO(error.log_line());
    CHECK(error.category() == ErrorCategory::TlsCertificate);
    CHECK(contains(error.message(), "has expired"));
    CHECK(contains(error.message(), "127.0.0.1"));
}

TEST_CASE("a certificate for another host name is refused as wrong host", "[integration][http]") {
    TestWebServer server(test_pki().wrong_host);
    auto client = trusting_test_ca();

    for (const std::string host : {"127.0.0.1", "localhost"}) {
        const Error error = send_error(*client, get(server.url("/hello", host)));
        INFO(error.log_line());
        CHECK(error.category() == ErrorCategory::TlsCertificate);
        CHECK(contains(error.message(), "wrong host"));
        CHECK(contains(error.message(), host));
    }
}

TEST_CASE("a port with nothing listening is a Network error naming the host", "[integration][http]") {
    RefusingPort nothing;
    auto client = trusting_test_ca();

    const Error error =
        send_error(*client, get("https://127.0.0.1:" + std::to_string(nothing.port()) + "/hello"));
    INFO(error.log_line());
    CHECK(error.category() == ErrorCategory::Network);
    CHECK(contains(error.message(), "127.0.0.1"));
    CHECK(contains(error.detail(), "curl 7"));
}

TEST_CASE("a server that accepts but never answers is a Timeout within the request's timeout",
          "[integration][http]") {
    RawListener silent(RawListener::Behaviour::Silent);
    auto client = trusting_test_ca();
    HttpRequest request = get("https://127.0.0.1:" + std::to_string(silent.port()) + "/token");
    std::chrono::milliseconds limit{};
    SECTION("the total timeout") {
        request.total_timeout = limit = 700ms;
    }
    SECTION("the connect timeout, which covers the TLS handshake") {
        request.connect_timeout = limit = 600ms;
        request.total_timeout = 10s;
    }

    const auto started = Clock::now();
    const Error error = send_error(*client, request);
    const auto elapsed = Clock::now() - started;
    INFO(error.log_line());
    CHECK(error.category() == ErrorCategory::Timeout);
    CHECK(contains(error.detail(), "curl 28"));
    CHECK(contains(error.message(), "127.0.0.1"));
    CHECK(elapsed >= limit - 50ms);
    CHECK(elapsed < limit + 1500ms);
    CHECK(silent.connections() == 1);
}

TEST_CASE("a peer that answers the ClientHello with garbage is a TlsHandshake error",
          "[integration][http]") {
    RawListener garbage(RawListener::Behaviour::Garbage);
    auto client = trusting_test_ca();

    const Error error =
        send_error(*client, get("https://127.0.0.1:" + std::to_string(garbage.port()) + "/token"));
    INFO(error.log_line());
    // curl 7.88 / OpenSSL 3: CURLE_SSL_CONNECT_ERROR (35), "wrong version number".
    CHECK(error.category() == ErrorCategory::TlsHandshake);
    CHECK(contains(error.detail(), "curl 35"));
    CHECK(contains(error.message(), "127.0.0.1"));
}

TEST_CASE("cancel from another thread ends a hanging request quickly", "[integration][http]") {
    // In the TLS handshake (https) and waiting for the answer to a sent request (loopback http).
    for (const std::string scheme : {"https", "http"}) {
        INFO(scheme);
        RawListener silent(RawListener::Behaviour::Silent);
        auto client = trusting_test_ca();
        HttpRequest request = get(scheme + "://127.0.0.1:" + std::to_string(silent.port()) + "/token");
        request.total_timeout = 20s;
        CancelToken cancel;

        // Catch assertions belong to the test's thread: the worker only hands back what happened.
        auto pending = std::async(std::launch::async, [&]() -> std::optional<Error> {
            try {
                client->send(request, &cancel);
            } catch (const Error& error) {
                return error;
            }
            return std::nullopt;
        });
        REQUIRE(silent.wait_for_connections(1, 5s));
        const auto cancelled_at = Clock::now();
        cancel.cancel();
        REQUIRE(pending.wait_for(5s) == std::future_status::ready);
        const auto latency = Clock::now() - cancelled_at;
        const std::optional<Error> outcome = pending.get();
        REQUIRE(outcome.has_value());
        const Error& error = *outcome;
        INFO(error.log_line());
        INFO("latency " << std::chrono::duration_cast<std::chrono::milliseconds>(latency).count()
                        << " ms");
        CHECK(error.category() == ErrorCategory::Cancelled);
        CHECK(latency < 1000ms);  // curl calls the progress callback at least every second
    }
}

TEST_CASE("a request cancelled before it starts never connects", "[integration][http]") {
    RawListener silent(RawListener::Behaviour::Silent);
    auto client = trusting_test_ca();
    CancelToken cancel;
    cancel.cancel();

    const Error error = send_error(
        *client, get("https://127.0.0.1:" + std::to_string(silent.port()) + "/token"), &cancel);
    CHECK(error.category() == ErrorCategory::Cancelled);
    CHECK_FALSE(silent.wait_for_connections(1, 200ms));
}

TEST_CASE("a missing or certificate-less extra CA file is a BadInput error naming the path",
          "[integration][http]") {
    const auto missing = test_pki().ca.parent_path() / "no-such-ca.pem";
    const Error absent = error_from([&] { client_trusting(missing); });
    CHECK(absent.category() == ErrorCategory::BadInput);
    CHECK(contains(absent.message(), missing.string()));

    const Error empty = error_from([&] { client_trusting(test_pki().not_pem); });
    CHECK(empty.category() == ErrorCategory::BadInput);
    CHECK(contains(empty.message(), test_pki().not_pem.string()));
    CHECK(contains(empty.message(), "no PEM certificate"));
}

TEST_CASE("plain HTTP works to loopback", "[integration][http]") {
    TestWebServer server(std::nullopt);
    auto client = client_trusting(std::nullopt);

    for (const std::string host : {"127.0.0.1", "localhost"}) {
        const HttpResponse response = client->send(get(server.url("/hello", host)));
        CHECK(response.status == 200);
        CHECK(response.body == "hello from the test server");
    }
}

TEST_CASE("plain HTTP to any other host, and other schemes, are refused before connecting",
          "[integration][http]") {
    // Were the client to try, the request would reach this listener through the proxy variables
    // instead of leaving the machine.
    RawListener proxy(RawListener::Behaviour::Silent);
    const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
    EnvOverride env{{"http_proxy", proxy_url.c_str()},  {"HTTP_PROXY", proxy_url.c_str()},
                    {"https_proxy", proxy_url.c_str()}, {"all_proxy", proxy_url.c_str()},
                    {"no_proxy", nullptr},              {"NO_PROXY", nullptr}};
    auto client = trusting_test_ca();

    for (const std::string url :
         {"http://login.microsoftonline.com/common/oauth2/v2.0/token", "http://127.0.0.1.nip.io/",
          "http://localhost.example/", "http://10.0.0.1/", "ftp://127.0.0.1/", "file:///etc/passwd",
          "not a url"}) {
        INFO(url);
        HttpRequest request = get(url);
        request.total_timeout = 500ms;
        const auto started = Clock::now();
        const Error error = send_error(*client, request);
        CHECK(error.category() == ErrorCategory::BadInput);
        CHECK(Clock::now() - started < 100ms);
    }
    CHECK_FALSE(proxy.wait_for_connections(1, 200ms));
}

TEST_CASE("HTTPS to other hosts goes through the environment's proxy, loopback never does",
          "[integration][http]") {
    RawListener proxy(RawListener::Behaviour::Silent);
    TestWebServer server(test_pki().localhost);
    TestWebServer plain(std::nullopt);
    const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
    EnvOverride env{{"https_proxy", proxy_url.c_str()}, {"HTTPS_PROXY", proxy_url.c_str()},
                    {"http_proxy", proxy_url.c_str()},  {"all_proxy", proxy_url.c_str()},
                    {"no_proxy", nullptr},              {"NO_PROXY", nullptr}};
    auto client = trusting_test_ca();

    CHECK(client->send(get(server.url("/hello"))).status == 200);
    CHECK(client->send(get(server.url("/hello", "localhost"))).status == 200);
    CHECK(client->send(get(plain.url("/hello"))).status == 200);
    CHECK(proxy.connections() == 0);

    // The proxy (our silent listener) gets the CONNECT; the name is never resolved here.
    HttpRequest request = get("https://tern-proxy-test.invalid/token");
    request.total_timeout = 700ms;
    const Error error = send_error(*client, request);
    INFO(error.log_line());
    CHECK(error.category() == ErrorCategory::Timeout);
    CHECK(contains(error.message(), "tern-proxy-test.invalid"));
    CHECK(proxy.connections() == 1);
    CHECK(contains(proxy.received(), "CONNECT tern-proxy-test.invalid:443"));
}

TEST_CASE("an answer larger than 16 MiB is refused with a clear error", "[integration][http]") {
    TestWebServer server(test_pki().localhost);
    auto client = trusting_test_ca();

    const Error error = send_error(*client, get(server.url("/big")));
    INFO(error.log_line());
    CHECK(error.category() == ErrorCategory::Protocol);
    CHECK(contains(error.message(), "16 MiB"));
}

TEST_CASE("headers with line breaks and unknown methods are refused", "[integration][http]") {
    TestWebServer server(test_pki().localhost);
    auto client = trusting_test_ca();

    HttpRequest injected = get(server.url("/hello"));
    injected.headers = {{"X-Custom", "a\r\nAuthorization: Bearer stolen"}};
    CHECK(send_error(*client, injected).category() == ErrorCategory::BadInput);

    HttpRequest trace = get(server.url("/hello"));
    trace.method = "TRACE";
    CHECK(send_error(*client, trace).category() == ErrorCategory::BadInput);
}

TEST_CASE("one client serves several threads at once", "[integration][http]") {
    TestWebServer server(test_pki().localhost);
    auto client = trusting_test_ca();

    std::vector<std::future<int>> workers;
    for (int t = 0; t < 8; ++t)
        workers.push_back(std::async(std::launch::async, [&] {
            int ok = 0;
            for (int i = 0; i < 5; ++i)
                ok += client->send(get(server.url("/hello"))).body == "hello from the test server";
            return ok;
        }));
    for (auto& worker : workers) CHECK(worker.get() == 5);
}

TEST_CASE("the debug log says method, address without query, status and time, and nothing else",
          "[integration][http]") {
    tern::test::TempDir logs;
    LoggingOptions logging;
    logging.directory = logs.path();
    logging.level = "debug";
    init_logging(logging);
    {
        TestWebServer server(test_pki().localhost);
        RefusingPort nothing;
        auto client = trusting_test_ca();
        HttpRequest request = get(server.url("/echo?code=query-secret-4711"));
        request.method = "POST";
        request.headers = {{"Authorization", "Bearer header-secret-4711"},
                           {"Content-Type", "application/x-www-form-urlencoded"}};
        request.body = "refresh_token=body-secret-4711";
        CHECK(client->send(request).status == 201);
        CHECK_THROWS_AS(client->send(get("https://127.0.0.1:" + std::to_string(nothing.port()) +
                                         "/token?code=query-secret-4711")),
                        Error);
    }
    shutdown_logging();

    std::ifstream in(logs.path() / "tern.log", std::ios::binary);
    const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(log);
    CHECK(contains(log, "POST https://127.0.0.1:"));
    CHECK(contains(log, "/echo -> 201 in "));
    CHECK(contains(log, "/token -> failed (network, curl 7) in "));
    CHECK_FALSE(contains(log, "4711"));
}
