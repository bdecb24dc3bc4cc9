#include "tern/core/sasl_bearer.hpp"
#include "tern/core/redaction.hpp"

#include <catch2/catch.hpp>

using namespace tern;

TEST_CASE("XOAUTH2 matches the published example", "[sasl]") {
    const auto s = xoauth2_initial_response("someuser@example.com", Secret(std::string("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")));
    CHECK(s.reveal() ==
          "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
}

TEST_CASE("OAUTHBEARER matches RFC 7628 and escapes the user", "[sasl]") {
    const auto s = oauthbearer_initial_response("user@example.com", "server.example.com", 143,
                                                Secret(std::string("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==")));
    CHECK(s.reveal() ==
          "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB");
    const auto escaped = oauthbearer_initial_response("a=b,c@x.test", "h", 1, Secret(std::string("tok-123")));
    // "n,a=a=3Db=2Cc@x.test," base64-encoded starts the string
    CHECK(escaped.reveal().rfind("bixhPWE9M0RiPTJDY0B4LnRlc3Qs", 0) == 0);
}

TEST_CASE("SASL strings never reach a log", "[sasl][secrets]") {
    const auto s = xoauth2_initial_response("a@b.test", Secret(std::string("token-for-sasl-test")));
    const std::string line = "C: A1 AUTHENTICATE XOAUTH2 " + std::string(s.reveal());
    CHECK(redact(line).find(std::string(s.reveal())) == std::string::npos);
    CHECK(redact("continuation " + std::string(s.reveal())).find(std::string(s.reveal())) == std::string::npos);
}

TEST_CASE("the server's JSON error challenge is parsed", "[sasl]") {
    auto c = parse_sasl_error_challenge(
        "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==");
    REQUIRE(c);
    CHECK(c->status == "401");
    CHECK(c->schemes == "bearer");
    CHECK(c->scope == "https://mail.google.com/");
    CHECK_FALSE(parse_sasl_error_challenge("not base64!"));
    CHECK_FALSE(parse_sasl_error_challenge("aGVsbG8="));  // "hello": not JSON
    CHECK_FALSE(parse_sasl_error_challenge("e30="));      // {}: no status
}
