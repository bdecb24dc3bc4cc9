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

TEST_CASE("append_utf8 writes one to four bytes per code point", "[text]") {
    std::string out;
    for (char32_t cp : {U'A', U'é', U'€', U'𝄞'}) append_utf8(out, cp);
    CHECK(out == "A\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E");
}

TEST_CASE("colon_hex shows bytes as a fingerprint is written", "[text]") {
    const unsigned char bytes[] = {0x00, 0xab, 0x7f, 0xff};
    CHECK(colon_hex(bytes, 4) == "00:ab:7f:ff");
    CHECK(colon_hex(bytes, 0).empty());
}
