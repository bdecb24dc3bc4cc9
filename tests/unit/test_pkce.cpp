#include "tern/auth/pkce.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace tern::auth;

TEST_CASE("the S256 challenge matches RFC 7636 appendix B", "[pkce]") {
    CHECK(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("verifiers are fresh, 43 unreserved characters, and match their challenge", "[pkce]") {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        const auto p = make_pkce();
        CHECK(p.verifier.size() == 43);
        CHECK(p.verifier.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == std::string::npos);
        CHECK(p.challenge == pkce_challenge(p.verifier));
        CHECK(seen.insert(p.verifier).second);
    }
    CHECK(random_url_token() != random_url_token());
    CHECK(random_url_token(16).size() == 22);
}
