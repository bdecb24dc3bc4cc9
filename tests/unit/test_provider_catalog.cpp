#include "tern/accounts/provider_catalog.hpp"
#include "tern/core/error.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::accounts;
using tern::mail::MailProtocol;

namespace {

ErrorCategory parse_failure(const std::string& text, std::string& message) {
    try {
        ProviderCatalog::parse(text, "test.json");
    } catch (const Error& e) {
        message = e.message();
        return e.category();
    }
    FAIL("parsed: " << text);
    return ErrorCategory::Internal;
}

}  // namespace

TEST_CASE("the shipped providers.json knows Outlook.com and Microsoft 365 with DESIGN §3's servers", "[providers]") {
    const auto catalog = ProviderCatalog::load(providers_file(std::filesystem::path(TERN_SOURCE_DIR "/resources/providers.json")));
    const auto* outlook = catalog.for_email("Someone@Hotmail.com");
    REQUIRE(outlook);
    CHECK(outlook->id == "outlook");
    CHECK(outlook->server_saves_sent);
    REQUIRE(outlook->oauth);
    CHECK(outlook->oauth->tenant == "consumers");
    CHECK(outlook->fallback_servers.at(MailProtocol::Imap).host == "imap-mail.outlook.com");
    CHECK(outlook->fallback_servers.at(MailProtocol::Imap).port == 993);
    CHECK(outlook->fallback_servers.at(MailProtocol::Smtp).host == "smtp-mail.outlook.com");
    CHECK(outlook->fallback_servers.at(MailProtocol::Smtp).tls == mail::TlsMode::StartTls);

    const auto* work = catalog.find("microsoft365");
    REQUIRE(work);
    CHECK(work->servers.at(MailProtocol::Smtp).host == "smtp.office365.com");
    const auto config = work->oauth->config_for({MailProtocol::Imap, MailProtocol::Smtp}, "contoso.example", "my-app-id");
    CHECK(config.token_url == "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token");
    CHECK(config.admin_consent_url ==
          "https://login.microsoftonline.com/contoso.example/adminconsent?client_id=my-app-id");
    CHECK(config.client_id == "my-app-id");
    CHECK(config.scope_string() ==
          "https://outlook.office.com/IMAP.AccessAsUser.All offline_access https://outlook.office.com/SMTP.Send");
    CHECK(catalog.for_email("someone@example.org") == nullptr);
}

TEST_CASE("the --providers option wins over TERN_PROVIDERS", "[providers]") {
    CHECK(providers_file(std::filesystem::path("/x/providers.json")) == "/x/providers.json");
}

TEST_CASE("a broken providers file says what is wrong", "[providers]") {
    std::string message;
    CHECK(parse_failure("not json", message) == ErrorCategory::BadInput);
    CHECK(message.find("test.json") != std::string::npos);
    parse_failure(R"({"format": 2, "providers": []})", message);
    CHECK(message.find("format") != std::string::npos);
    parse_failure(R"({"format": 1, "providers": [{"id": "a", "display_name": "A",
        "servers": {"imap": {"host": "h", "port": 0, "tls": "ssl"}}}]})", message);
    CHECK(message.find("provider 'a'") != std::string::npos);
    CHECK(message.find("1 to 65535") != std::string::npos);
    parse_failure(R"({"format": 1, "providers": [{"id": "a", "display_name": "A",
        "servers": {"imap": {"host": "h", "port": 993, "tls": "tls13"}}}]})", message);
    CHECK(message.find("TLS mode") != std::string::npos);
    parse_failure(R"({"format": 1, "providers": [{"id": "a", "display_name": "A",
        "servers": {"nntp": {"host": "h", "port": 119, "tls": "none"}}}]})", message);
    CHECK(message.find("nntp") != std::string::npos);
    try {
        ProviderCatalog::load("/nonexistent/providers.json");
        FAIL("loaded");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::Storage);
        CHECK(e.message().find("--providers") != std::string::npos);
    }
}
