// The running test environment (tests/env) as C++ tests see it: the KEY=VALUE file named by
// TERN_ENV_FILE, and the fake identity platform's admin interface.
#pragma once

#include "tern/auth/http_client.hpp"
#include "tern/auth/oauth_config.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

namespace tern::test {

class TestEnvironment {
public:
    TestEnvironment() {
        const char* file = std::getenv("TERN_ENV_FILE");
        REQUIRE(file != nullptr);
        std::ifstream in(file);
        REQUIRE(in);
        for (std::string line; std::getline(in, line);) {
            const auto eq = line.find('=');
            if (eq != std::string::npos) values_[line.substr(0, eq)] = line.substr(eq + 1);
        }
        http_ = auth::make_curl_http_client({get("TERN_CA_FILE"), "Tern tests"});
    }

    std::string get(const std::string& key) const {
        auto it = values_.find(key);
        INFO("missing env key " << key);
        REQUIRE(it != values_.end());
        return it->second;
    }

    auth::HttpClient& http() { return *http_; }

    // The fake platform for one tenant, asking for IMAP with a refresh token.
    auth::OAuthConfig oauth_config(const std::string& tenant) const {
        const auto base = get("IDP_URL") + "/" + tenant + "/oauth2/v2.0/";
        return {base + "authorize", base + "token", base + "devicecode", get("IDP_CLIENT_ID"), tenant,
                {"https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"},
                get("IDP_URL") + "/" + tenant + "/adminconsent?client_id=" + get("IDP_CLIENT_ID")};
    }

    // POSTs JSON to the fake platform's admin interface; fails the test on anything but 200.
    std::string admin(const std::string& path, const std::string& json) {
        auth::HttpRequest request;
        request.method = "POST";
        request.url = get("IDP_ADMIN_URL") + path;
        request.headers = {{"Content-Type", "application/json"}};
        request.body = json;
        const auto response = http_->send(request);
        INFO(path << " " << json << " -> " << response.body);
        REQUIRE(response.status == 200);
        return response.body;
    }

private:
    std::map<std::string, std::string> values_;
    std::unique_ptr<auth::HttpClient> http_;
};

}  // namespace tern::test
