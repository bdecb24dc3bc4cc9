// The transport-free parts of http_client.hpp: URL and form encoding, header lookup, options.
#include "tern/auth/http_client.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace tern::auth;

namespace {

void set_env(const char* name, const char* value) {
#ifdef _WIN32
    _putenv_s(name, value != nullptr ? value : "");
#else
    if (value != nullptr)
        ::setenv(name, value, 1);
    else
        ::unsetenv(name);
#endif
}

}  // namespace

TEST_CASE("url_encode keeps RFC 3986 unreserved characters and escapes the rest", "[http]") {
    CHECK(url_encode("") == "");
    CHECK(url_encode("AZaz09-._~") == "AZaz09-._~");
    CHECK(url_encode("a b") == "a%20b");
    CHECK(url_encode("a+b") == "a%2Bb");
    CHECK(url_encode("!*'();:@&=$,/?#[]%") == "%21%2A%27%28%29%3B%3A%40%26%3D%24%2C%2F%3F%23%5B%5D%25");
    CHECK(url_encode("http://127.0.0.1:8080/cb") == "http%3A%2F%2F127.0.0.1%3A8080%2Fcb");
}

TEST_CASE("url_encode escapes every UTF-8 byte and control byte with upper-case hex", "[http]") {
    CHECK(url_encode("Zoë") == "Zo%C3%AB");
    CHECK(url_encode("\xE2\x82\xAC") == "%E2%82%AC");  // the euro sign
    CHECK(url_encode(std::string("\x00\x01\n\x7f\xff", 5)) == "%00%01%0A%7F%FF");
}

TEST_CASE("form_encode joins encoded pairs and sends a space as %20, never '+'", "[http]") {
    CHECK(form_encode({}) == "");
    CHECK(form_encode({{"grant_type", "refresh_token"}}) == "grant_type=refresh_token");
    CHECK(form_encode({{"scope", "offline_access https://outlook.office.com/IMAP.AccessAsUser.All"},
                       {"client_id", "0000-1111"}}) ==
          "scope=offline_access%20https%3A%2F%2Foutlook.office.com%2FIMAP.AccessAsUser.All&"
          "client_id=0000-1111");
    // A literal '+', '&' or '=' in a value cannot be mistaken for a separator or a space.
    CHECK(form_encode({{"a b", "c+d&e=f"}, {"empty", ""}}) == "a%20b=c%2Bd%26e%3Df&empty=");
    CHECK(form_encode({{"name", "Zoë"}}) == "name=Zo%C3%AB");
}

TEST_CASE("header lookup finds the first value by name, forgiving the caller's case", "[http]") {
    HttpResponse response;
    response.headers = {{"content-type", "application/json"},
                        {"set-cookie", "a=1"},
                        {"set-cookie", "b=2"},
                        {"x-empty", ""}};
    CHECK(response.header("content-type") == std::optional<std::string>("application/json"));
    CHECK(response.header("Content-Type") == std::optional<std::string>("application/json"));
    CHECK(response.header("set-cookie") == std::optional<std::string>("a=1"));
    CHECK(response.header("x-empty") == std::optional<std::string>(""));
    CHECK_FALSE(response.header("location").has_value());
    CHECK_FALSE(response.header("content-typ").has_value());
    CHECK_FALSE(HttpResponse{}.header("content-type").has_value());
}

TEST_CASE("http_options_from_environment reads TERN_CA_FILE", "[http]") {
    const char* saved = std::getenv("TERN_CA_FILE");
    const std::string saved_value = saved != nullptr ? saved : "";

    set_env("TERN_CA_FILE", "/tmp/tern-test-ca.pem");
    auto options = http_options_from_environment();
    REQUIRE(options.extra_ca_file.has_value());
    CHECK(*options.extra_ca_file == std::filesystem::path("/tmp/tern-test-ca.pem"));
    CHECK(options.user_agent.rfind("Tern/", 0) == 0);

    set_env("TERN_CA_FILE", "");
    CHECK_FALSE(http_options_from_environment().extra_ca_file.has_value());
    set_env("TERN_CA_FILE", nullptr);
    CHECK_FALSE(http_options_from_environment().extra_ca_file.has_value());

    set_env("TERN_CA_FILE", saved != nullptr ? saved_value.c_str() : nullptr);
}
