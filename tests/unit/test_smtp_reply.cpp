#include "tern/mail/smtp_reply.hpp"
#include "tern/mail/tls_trust.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::mail;

TEST_CASE("Exchange Online's SMTP answers are explained in plain words", "[smtp-reply]") {
    const auto disabled = explain_smtp_reply(
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.");
    CHECK(disabled.category == ErrorCategory::PolicyBlocked);
    CHECK(disabled.permanent);
    CHECK(disabled.explanation.find("Authenticated SMTP") != std::string::npos);

    const auto basic = explain_smtp_reply("550 5.7.30 Basic authentication is not supported for Client Submission.");
    CHECK(basic.category == ErrorCategory::PolicyBlocked);
    CHECK(basic.explanation.find("Sign in with Microsoft") != std::string::npos);

    // 5.7.3 is not 5.7.30 nor 5.7.139.
    const auto other_account = explain_smtp_reply("535 5.7.3 Authentication unsuccessful");
    CHECK(other_account.category == ErrorCategory::AuthRejected);
    CHECK(other_account.explanation.find("same account") != std::string::npos);

    const auto expiring = explain_smtp_reply("501 5.5.127 SASL authentication failed: Token will expire soon");
    CHECK(expiring.category == ErrorCategory::AuthRejected);
    CHECK_FALSE(expiring.permanent);
}

TEST_CASE("a throttling answer gives the server's backoff time", "[smtp-reply]") {
    const auto throttled = explain_smtp_reply(
        "452 4.3.2 Temporary server error. Please try again later. Suggested Backoff Time: 12500 milliseconds");
    CHECK_FALSE(throttled.permanent);
    REQUIRE(throttled.backoff);
    CHECK(throttled.backoff->count() == 13);
    CHECK(throttled.explanation.find("limiting") != std::string::npos);
}

TEST_CASE("unknown answers follow the reply code: 4yz transient, 5yz permanent", "[smtp-reply]") {
    CHECK_FALSE(explain_smtp_reply("451 4.3.0 Try again").permanent);
    CHECK(explain_smtp_reply("554 5.6.0 Something odd").permanent);
    CHECK(explain_smtp_reply("554 5.6.0 Something odd").explanation.empty());
    CHECK(explain_smtp_reply("550 5.1.1 <x@y>: Recipient address rejected").category == ErrorCategory::BadInput);
    CHECK(explain_smtp_reply("").category == ErrorCategory::ServerError);
}

TEST_CASE("certificate fingerprints are normalised, and anything else is refused", "[tls-trust]") {
    const std::string upper = "9C:4E:2D:C6:22:EF:23:E3:94:41:9B:FD:EC:62:80:FF:22:7A:41:F8:D0:51:0C:3C:95:F5:32:0E:FD:A3:4E:72";
    const std::string plain = "9c4e2dc622ef23e394419bfdec6280ff227a41f8d0510c3c95f5320efda34e72";
    CHECK(normalise_fingerprint(upper) == normalise_fingerprint(plain));
    CHECK(normalise_fingerprint(plain).substr(0, 6) == "9c:4e:");
    CHECK_THROWS_AS(normalise_fingerprint("9c:4e"), Error);
    CHECK_THROWS_AS(normalise_fingerprint(std::string(64, 'g')), Error);
}
