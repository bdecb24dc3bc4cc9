// Browser sign-in (authorization code + PKCE, loopback redirect) with a fake browser that performs
// the redirect itself over real loopback HTTP, and a scripted token endpoint.
#include "fake_http_client.hpp"
#include "tern/auth/browser_sign_in.hpp"
#include "tern/auth/pkce.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <thread>

using namespace tern;
using namespace tern::auth;
using namespace std::chrono_literals;

namespace {

const char* grant_json = R"({"token_type":"Bearer","expires_in":3600,"access_token":"at-1","refresh_token":"rt-1"})";

std::string percent_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i] == '+' ? ' ' : text[i];
        }
    }
    return out;
}

// name -> value of a URL's query or a form body.
std::map<std::string, std::string> parameters(const std::string& text) {
    std::map<std::string, std::string> out;
    const auto start = text.find('?') == std::string::npos ? 0 : text.find('?') + 1;
    std::size_t pos = start;
    while (pos < text.size()) {
        auto end = text.find('&', pos);
        if (end == std::string::npos) end = text.size();
        const auto pair = text.substr(pos, end - pos);
        const auto eq = pair.find('=');
        out[percent_decode(pair.substr(0, eq))] = eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
        pos = end + 1;
    }
    return out;
}

// Plays the person's browser: loads whatever the redirect says, over real HTTP to 127.0.0.1.
struct FakeBrowser {
    std::unique_ptr<HttpClient> http = make_curl_http_client({});
    std::string authorize_url;
    std::map<std::string, std::string> authorize;  // the authorize URL's parameters
    std::string page;                              // what the listener showed
    long favicon_status = 0;

    HttpResponse get(const std::string& url) {
        HttpRequest request;
        request.url = url;
        request.connect_timeout = 5s;
        request.total_timeout = 10s;
        return http->send(request);
    }
    // An OpenUrl that redirects back with `query` built from the authorize parameters.
    OpenUrl redirect_with(std::function<std::string(const std::map<std::string, std::string>&)> query) {
        return [this, query](const std::string& url) {
            authorize_url = url;
            authorize = parameters(url);
            favicon_status = get(authorize.at("redirect_uri") + "favicon.ico").status;
            page = get(authorize.at("redirect_uri") + "?" + query(authorize)).body;
        };
    }
};

struct Fixture {
    test::FakeHttpClient http;
    TokenEndpoint endpoint{http,
                           OAuthConfig{"https://idp.test/organizations/oauth2/v2.0/authorize",
                                       "https://idp.test/organizations/oauth2/v2.0/token", "", "client-1",
                                       "organizations",
                                       {"https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"},
                                       ""},
                           "carol@example.test"};
    FakeBrowser browser;
    BrowserSignInOptions options{"carol@example.test", 30s};
};

Error failure_of(Fixture& f, const OpenUrl& open_url, const CancelToken* cancel = nullptr) {
    try {
        sign_in_with_browser(f.endpoint, open_url, f.options, cancel);
    } catch (const Error& e) {
        return e;
    }
    FAIL("the sign-in succeeded");
    return Error(ErrorCategory::Internal, {});
}

}  // namespace

TEST_CASE("browser sign-in redeems the redirected code with the PKCE verifier and the same redirect URI",
          "[browser-sign-in]") {
    Fixture f;
    f.http.answer(200, grant_json);
    const auto grant = sign_in_with_browser(
        f.endpoint, f.browser.redirect_with([](const auto& a) { return "code=the-code&state=" + url_encode(a.at("state")); }),
        f.options, nullptr);
    CHECK(grant.access_token.reveal() == "at-1");
    REQUIRE(grant.refresh_token);
    CHECK(grant.refresh_token->reveal() == "rt-1");

    const auto& a = f.browser.authorize;
    CHECK(f.browser.authorize_url.rfind("https://idp.test/organizations/oauth2/v2.0/authorize?", 0) == 0);
    CHECK(a.at("client_id") == "client-1");
    CHECK(a.at("response_type") == "code");
    CHECK(a.at("response_mode") == "query");
    CHECK(a.at("scope") == "https://outlook.office.com/IMAP.AccessAsUser.All offline_access");
    CHECK(a.at("code_challenge_method") == "S256");
    CHECK(a.at("login_hint") == "carol@example.test");
    CHECK(a.at("state").size() >= 16);
    const auto& redirect_uri = a.at("redirect_uri");
    CHECK(redirect_uri.rfind("http://127.0.0.1:", 0) == 0);
    CHECK(redirect_uri.back() == '/');

    const auto requests = f.http.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].url == "https://idp.test/organizations/oauth2/v2.0/token");
    const auto form = parameters(requests[0].body);
    CHECK(form.at("grant_type") == "authorization_code");
    CHECK(form.at("code") == "the-code");
    CHECK(form.at("redirect_uri") == redirect_uri);
    CHECK(pkce_challenge(form.at("code_verifier")) == a.at("code_challenge"));

    CHECK(f.browser.page.find("close this window") != std::string::npos);
    CHECK(f.browser.page.find("the-code") == std::string::npos);
    CHECK(f.browser.favicon_status == 404);
}

TEST_CASE("browser sign-in leaves login_hint out when none is given", "[browser-sign-in]") {
    Fixture f;
    f.options.login_hint.clear();
    f.http.answer(200, grant_json);
    sign_in_with_browser(f.endpoint,
                         f.browser.redirect_with([](const auto& a) { return "code=c&state=" + url_encode(a.at("state")); }),
                         f.options, nullptr);
    CHECK(f.browser.authorize.count("login_hint") == 0);
}

TEST_CASE("browser sign-in refuses a redirect with another state and never redeems its code", "[browser-sign-in]") {
    Fixture f;
    const auto wrong = failure_of(f, f.browser.redirect_with([](const auto&) { return "code=forged&state=other"; }));
    CHECK(wrong.category() == ErrorCategory::Protocol);
    CHECK(f.http.requests().empty());

    Fixture g;
    const auto missing = failure_of(g, g.browser.redirect_with([](const auto&) { return "code=forged"; }));
    CHECK(missing.category() == ErrorCategory::Protocol);
    CHECK(g.http.requests().empty());
}

TEST_CASE("browser sign-in: a declined sign-in is Cancelled", "[browser-sign-in]") {
    Fixture f;
    const auto e = failure_of(f, f.browser.redirect_with([](const auto& a) {
        return "error=access_denied&error_description=" + url_encode("AADSTS65004: User declined to consent") +
               "&state=" + url_encode(a.at("state"));
    }));
    CHECK(e.category() == ErrorCategory::Cancelled);
    CHECK(e.message().find("declined") != std::string::npos);
    CHECK(f.http.requests().empty());
    CHECK(f.browser.page.find("close this window") != std::string::npos);
}

TEST_CASE("browser sign-in classifies an error redirect through the token error table", "[browser-sign-in]") {
    Fixture f;
    const auto e = failure_of(f, f.browser.redirect_with([](const auto& a) {
        return "error=invalid_request&error_description=" +
               url_encode("AADSTS50011: The redirect URI specified in the request does not match") +
               "&state=" + url_encode(a.at("state"));
    }));
    CHECK(e.category() == ErrorCategory::AppRejected);
    CHECK(e.message().find("client-1") != std::string::npos);
    CHECK(f.http.requests().empty());
    // The page names the OAuth error, not the description the redirect carried.
    CHECK(f.browser.page.find("invalid_request") != std::string::npos);
    CHECK(f.browser.page.find("AADSTS50011") == std::string::npos);
}

TEST_CASE("browser sign-in does not echo a made-up error into the page", "[browser-sign-in]") {
    Fixture f;
    failure_of(f, f.browser.redirect_with([](const auto& a) {
        return "error=" + url_encode("<script>alert(1)</script>") + "&state=" + url_encode(a.at("state"));
    }));
    CHECK(f.browser.page.find("<script>") == std::string::npos);
}

TEST_CASE("browser sign-in times out when no redirect comes", "[browser-sign-in]") {
    Fixture f;
    f.options.timeout = 1s;
    const auto started = std::chrono::steady_clock::now();
    const auto e = failure_of(f, [](const std::string&) {});
    CHECK(e.category() == ErrorCategory::Timeout);
    CHECK(e.message().find("did not finish within 1 second") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    CHECK(f.http.requests().empty());
}

TEST_CASE("browser sign-in stops quickly when cancelled from another thread", "[browser-sign-in]") {
    Fixture f;
    CancelToken cancel;
    std::chrono::steady_clock::time_point cancelled_at;
    std::thread canceller;
    const auto e = failure_of(
        f,
        [&](const std::string&) {
            canceller = std::thread([&] {
                std::this_thread::sleep_for(200ms);  // the sign-in must be waiting by then
                cancelled_at = std::chrono::steady_clock::now();
                cancel.cancel();
            });
        },
        &cancel);
    const auto returned_at = std::chrono::steady_clock::now();
    canceller.join();
    CHECK(e.category() == ErrorCategory::Cancelled);
    CHECK(returned_at - cancelled_at < 1s);
    CHECK(f.http.requests().empty());
}

TEST_CASE("browser sign-in does not start when already cancelled", "[browser-sign-in]") {
    Fixture f;
    CancelToken cancel;
    cancel.cancel();
    bool opened = false;
    const auto e = failure_of(f, [&](const std::string&) { opened = true; }, &cancel);
    CHECK(e.category() == ErrorCategory::Cancelled);
    CHECK_FALSE(opened);
}

TEST_CASE("browser sign-in passes on the browser opener's error", "[browser-sign-in]") {
    Fixture f;
    const auto e = failure_of(f, [](const std::string& url) {
        throw Error(ErrorCategory::Unsupported, "Open this address yourself: " + url);
    });
    CHECK(e.category() == ErrorCategory::Unsupported);
    CHECK(e.message().find("https://idp.test/organizations/oauth2/v2.0/authorize?") != std::string::npos);
}
