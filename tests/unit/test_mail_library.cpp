#include "tern/mail/mail_library.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

TEST_CASE("XOAUTH2 is available to vmime after initialisation", "[mail]") {
    tern::mail::initialise_mail_library();
    tern::mail::initialise_mail_library();  // idempotent
    const auto names = tern::mail::supported_sasl_mechanisms();
    CHECK(std::count(names.begin(), names.end(), "XOAUTH2") == 1);
    CHECK(std::count(names.begin(), names.end(), "PLAIN") == 1);
}
