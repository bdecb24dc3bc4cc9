#include "tern/core/base64.hpp"

#include <catch2/catch.hpp>

using namespace tern;

TEST_CASE("base64 matches the RFC 4648 test vectors", "[base64]") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        CHECK(base64_encode(plain) == encoded);
        CHECK(base64_decode(encoded) == std::string(plain));
    }
}

TEST_CASE("base64url has no padding and its own alphabet", "[base64]") {
    const std::string bytes("\xfb\xff\xfe", 3);
    CHECK(base64_encode(bytes) == "+//+");
    CHECK(base64url_encode(bytes) == "-__-");
    CHECK(base64url_encode("f") == "Zg");
    CHECK(base64_decode("-__-") == bytes);
    CHECK(base64_decode("Zg") == std::string("f"));
}

TEST_CASE("binary round-trips and junk is refused", "[base64]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    CHECK(base64_decode(base64_encode(all)) == all);
    CHECK(base64_decode(base64url_encode(all)) == all);
    CHECK_FALSE(base64_decode("ab!c").has_value());
    CHECK_FALSE(base64_decode("abcde").has_value());
}
