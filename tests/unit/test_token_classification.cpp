#include "tern/auth/token_error_table.hpp"
#include "tern/auth/token_response.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::auth;

namespace {

HttpResponse json_response(long status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

TokenErrorContext context() {
    return {"alice@contoso.test", "organizations", "11111111-2222-3333-4444-555555555555",
            "https://login.example.test/organizations/adminconsent?client_id=11111111-2222-3333-4444-555555555555"};
}

}  // namespace

TEST_CASE("a token answer becomes a grant that expires when it says", "[token]") {
    const auto now = Clock::now();
    auto grant = parse_token_grant(json_response(200, R"({"token_type":"Bearer","scope":"https://outlook.office.com/IMAP.AccessAsUser.All",
        "expires_in":3599,"ext_expires_in":3599,"access_token":"at-1","refresh_token":"rt-1"})"), now);
    CHECK(grant.access_token.reveal() == "at-1");
    REQUIRE(grant.refresh_token);
    CHECK(grant.refresh_token->reveal() == "rt-1");
    CHECK(grant.expires_at - now == std::chrono::seconds(3599));
    CHECK(grant.scope == "https://outlook.office.com/IMAP.AccessAsUser.All");

    auto no_refresh = parse_token_grant(json_response(200, R"({"access_token":"a","expires_in":"60"})"), now);
    CHECK_FALSE(no_refresh.refresh_token);
    CHECK(no_refresh.expires_at - now == std::chrono::seconds(60));
}

TEST_CASE("malformed grants are protocol errors", "[token]") {
    const auto now = Clock::now();
    for (const char* body : {"not json", "[]", R"({"token_type":"Bearer"})", R"({"access_token":"a","token_type":"MAC"})",
                             R"({"access_token":"a","expires_in":0})"}) {
        INFO(body);
        try {
            parse_token_grant(json_response(200, body), now);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.category() == ErrorCategory::Protocol);
        }
    }
}

TEST_CASE("error answers keep the OAuth error, the AADSTS code and Retry-After", "[token]") {
    auto r = json_response(400, R"({"error":"invalid_grant","error_description":"AADSTS50173: The provided grant has expired due to it being revoked.\r\nTrace ID: x","error_codes":[50173]})");
    auto e = parse_token_error(r);
    CHECK(e.error == "invalid_grant");
    CHECK(e.aadsts() == 50173);
    auto from_text = parse_token_error(json_response(400, R"({"error":"invalid_grant","error_description":"AADSTS700082: expired"})"));
    CHECK(from_text.aadsts() == 700082);
    auto busy = json_response(503, R"({"error":"temporarily_unavailable"})");
    busy.headers.push_back({"retry-after", "30"});
    CHECK(parse_token_error(busy).retry_after_seconds == 30L);
    CHECK(parse_token_error(json_response(502, "<html>Bad gateway</html>")).error.empty());
}

TEST_CASE("every rule of the table classifies its own answer, with every placeholder filled", "[token][classification]") {
    for (const auto& rule : token_error_table()) {
        TokenEndpointError e;
        e.http_status = 400;
        e.error = rule.error[0] ? rule.error : "invalid_grant";
        if (rule.aadsts) {
            e.error_codes = {rule.aadsts};
            e.description = "AADSTS" + std::to_string(rule.aadsts) + ": text";
        }
        const auto error = classify_token_error(e, context());
        INFO(e.error << " " << rule.aadsts);
        CHECK(error.category() == rule.category);
        CHECK(error.message().find('{') == std::string::npos);
        CHECK(error.context().status.find(e.error) == 0);
    }
}

TEST_CASE("the classification says what DESIGN §3-4 asks", "[token][classification]") {
    auto classify = [](const char* err, long code) {
        TokenEndpointError e;
        e.http_status = 400;
        e.error = err;
        if (code) e.error_codes = {code};
        return classify_token_error(e, context());
    };
    CHECK(classify("invalid_grant", 700082).category() == ErrorCategory::TokenExpired);
    CHECK(classify("invalid_grant", 50173).category() == ErrorCategory::TokenRevoked);
    const auto consent = classify("invalid_grant", 65001);
    CHECK(consent.category() == ErrorCategory::ConsentRequired);
    CHECK(consent.message().find("https://login.example.test/organizations/adminconsent?client_id=") != std::string::npos);
    CHECK(classify("invalid_grant", 53003).category() == ErrorCategory::PolicyBlocked);
    CHECK(classify("invalid_grant", 70043).category() == ErrorCategory::TokenExpired);
    CHECK(classify("unauthorized_client", 700016).category() == ErrorCategory::AppRejected);
    CHECK(classify("invalid_client", 0).category() == ErrorCategory::AppRejected);
    CHECK(classify("server_error", 0).category() == ErrorCategory::ServerError);
    CHECK(classify("temporarily_unavailable", 0).category() == ErrorCategory::ServerError);
    CHECK(classify("authorization_declined", 0).category() == ErrorCategory::Cancelled);
    CHECK(classify("expired_token", 0).category() == ErrorCategory::Timeout);
    CHECK(classify("interaction_required", 50076).category() == ErrorCategory::PolicyBlocked);
    CHECK(classify("invalid_grant", 90072).message().find("alice@contoso.test") != std::string::npos);
    CHECK(classify("something_new", 0).category() == ErrorCategory::Protocol);
    TokenEndpointError gateway;
    gateway.http_status = 502;
    CHECK(classify_token_error(gateway, context()).category() == ErrorCategory::ServerError);
}
