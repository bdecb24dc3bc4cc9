#include "tern/core/base64.hpp"
#include "tern/core/redaction.hpp"
#include "tern/core/secret.hpp"

#include <catch2/catch.hpp>

using namespace tern;

namespace {
bool hides(const std::string& text, const std::string& secret) {
    auto out = redact(text);
    return out.find(secret) == std::string::npos && out.find("[REDACTED]") != std::string::npos;
}
std::string b64(const std::string& in) { return tern::base64_encode(in); }
}  // namespace

TEST_CASE("remembered secrets are blanked anywhere in a line", "[redaction]") {
    Secret password(std::string("correct-horse-battery"));
    CHECK(hides("connecting with correct-horse-battery now", "correct-horse-battery"));
    CHECK(hides("x=correct-horse-batteryy", "correct-horse-battery"));
}

TEST_CASE("protocol shapes that carry secrets are redacted without being remembered", "[redaction]") {
    CHECK(hides("Authorization: Bearer opaque-token-value-1", "opaque-token-value-1"));
    CHECK(hides("authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"));
    CHECK(hides("sending bearer EwBwA8l6BAAUkj1", "EwBwA8l6BAAUkj1"));
    CHECK(hides(R"({"token_type":"Bearer","access_token":"at-123456","refresh_token":"rt-654321"})", "at-123456"));
    CHECK(hides(R"({"refresh_token": "rt-654321"})", "rt-654321"));
    CHECK(hides("grant_type=refresh_token&refresh_token=rt-abcdef&client_id=x", "rt-abcdef"));
    CHECK(hides("GET /cb?code=auth-code-xyz&state=s1", "auth-code-xyz"));
    CHECK(hides("code_verifier=verif-123456789", "verif-123456789"));
    CHECK(hides("C: a001 LOGIN alice@example.test \"pa ss\\\"word\"", "pa ss"));
    CHECK(hides("a002 LOGIN bob s3cr3tpw", "s3cr3tpw"));
    CHECK(hides("C: PASS pop3-secret", "pop3-secret"));
    CHECK(hides("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "AGFsaWNlAHNlY3JldA=="));
    CHECK(hides("a3 AUTHENTICATE XOAUTH2 dXNlcj1hQGIBYXV0aD1CZWFyZXIgeHl6AQE=", "dXNlcj1hQGIBYXV0aD1CZWFyZXIgeHl6AQE="));
    CHECK(hides("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-nature", "eyJhbGciOiJIUzI1NiJ9"));
    CHECK(hides("proxy http://user:proxypass@proxy:3128", "proxypass"));
}

TEST_CASE("a SASL response sent alone on a continuation line is recognised by its content", "[redaction]") {
    const auto xoauth2 = b64(std::string("user=alice@example.test\x01" "auth=Bearer tok-xyz\x01\x01"));
    CHECK(hides("C: " + xoauth2, xoauth2));
    const auto plain = b64(std::string("\0alice\0short", 12));
    CHECK(hides(plain, plain));
}

TEST_CASE("ordinary text passes through unchanged", "[redaction]") {
    const std::string lines[] = {
        "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS AUTH=PLAIN AUTH=LOGIN AUTH=XOAUTH2",
        "syncing folder INBOX: 120 new messages",
        "the test will pass once the login page loads",
        "status code 500 from server",
        "Message-ID: <CAF2=abcdefghijklmnop@mail.example.test>",
        "/home/user/.local/share/tern/logs/tern.log",
        "250-AUTH LOGIN PLAIN XOAUTH2",
    };
    for (const auto& line : lines) CHECK(redact(line) == line);
}

TEST_CASE("a SASL response glued to a key by '=' is still found", "[redaction]") {
    const auto xoauth2 = b64(std::string("user=a@b.test\x01" "auth=Bearer glued-token\x01\x01"));
    CHECK(hides("sasl=" + xoauth2 + ";next", xoauth2));
}
