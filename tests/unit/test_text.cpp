#include "tern/core/text.hpp"

#include <catch2/catch.hpp>

using namespace tern;

TEST_CASE("ASCII case mapping leaves every non-ASCII byte alone", "[text]") {
    CHECK(ascii_lower("XOAUTH2 Sent Items") == "xoauth2 sent items");
    CHECK(ascii_upper("xoauth2") == "XOAUTH2");
    CHECK(ascii_lower("GRÜSSE") == "grÜsse");  // the UTF-8 bytes of Ü are untouched
    CHECK(iequals("Authenticate", "AUTHENTICATE"));
    CHECK_FALSE(iequals("AUTH", "AUTHENTICATE"));
    CHECK_FALSE(iequals("É", "é"));
}
