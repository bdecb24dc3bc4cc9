#include "tern/accounts/provider_catalog.hpp"
#include "tern/core/error.hpp"

#include "../../accounts/src/json_source_map.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

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

// The message of the error `text` gives; fails the test when it loads or throws anything else.
std::string error_for(const std::string& text) {
    std::string message;
    CHECK(parse_failure(text, message) == ErrorCategory::BadInput);
    return message;
}

// Line numbers matter here: the tests below point at them.
const std::string sample = R"({
  "format": 1,
  "providers": [
    {
      "id": "outlook",
      "display_name": "Outlook",
      "domains": ["outlook.com"],
      "oauth": {
        "authorize_url": "https://idp.example/{tenant}/authorize",
        "token_url": "https://idp.example/token",
        "device_code_url": "https://idp.example/devicecode",
        "tenant": "consumers",
        "scopes": {"imap": ["IMAP", "offline_access"]}
      },
      "servers": {
        "imap": {"host": "imap.example", "port": 993, "tls": "ssl"},
        "smtp": {
          "host": "smtp.example",
          "port": 587,
          "tls": "starttls"
        }
      }
    },
    {
      "id": "generic",
      "display_name": "Other mail provider"
    }
  ]
}
)";

// `sample` with the one occurrence of `from` replaced by `to`.
std::string sample_with(const std::string& from, const std::string& to) {
    const auto at = sample.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(sample.find(from, at + 1) == std::string::npos);
    std::string text = sample;
    return text.replace(at, from.size(), to);
}

std::string shipped_providers_text() {
    std::ifstream in(TERN_SOURCE_DIR "/resources/providers.json", std::ios::binary);
    REQUIRE(in);
    return std::string(std::istreambuf_iterator<char>(in), {});
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

TEST_CASE("the shipped providers.json has a generic IMAP provider without OAuth, domains or servers", "[providers]") {
    const auto catalog = ProviderCatalog::load(TERN_SOURCE_DIR "/resources/providers.json");
    const auto* generic = catalog.find("generic");
    REQUIRE(generic);
    CHECK(generic->display_name == "Other mail provider (IMAP)");
    CHECK_FALSE(generic->oauth);
    CHECK(generic->domains.empty());
    CHECK(generic->servers.empty());
    CHECK(generic->fallback_servers.empty());
    CHECK_FALSE(generic->server_saves_sent);
    // No domain leads to it: it is chosen by name (--provider generic), never by an address.
    CHECK(catalog.for_email("someone@example.org") == nullptr);
}

TEST_CASE("the --providers option wins over TERN_PROVIDERS", "[providers]") {
    CHECK(providers_file(std::filesystem::path("/x/providers.json")) == "/x/providers.json");
}

TEST_CASE("an installed program finds providers.json in the data folder beside its bin folder", "[providers]") {
    // GNUInstallDirs' layout, as the deb and rpm (/usr) and the .tar.gz (anywhere) install it.
    CHECK(installed_providers_file("/usr/bin/tern-cli") == "/usr/share/tern/providers.json");
    CHECK(installed_providers_file("/opt/tern-0.1.0-Linux/bin/tern") == "/opt/tern-0.1.0-Linux/share/tern/providers.json");
}

TEST_CASE("a program in the build tree reads the source tree's providers.json", "[providers]") {
    // The unit tests run from build/bin, where no share/tern/providers.json is installed.
    const char* env = std::getenv("TERN_PROVIDERS");
    const std::string saved = env ? env : "";
    ::unsetenv("TERN_PROVIDERS");
    const auto chosen = providers_file(std::nullopt);
    if (!saved.empty()) ::setenv("TERN_PROVIDERS", saved.c_str(), 1);
    CHECK(chosen == std::filesystem::path(TERN_SOURCE_DIR "/resources/providers.json"));
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

TEST_CASE("the sample providers text of these tests loads", "[providers]") {
    const auto catalog = ProviderCatalog::parse(sample, "test.json");
    REQUIRE(catalog.providers().size() == 2);
    CHECK(catalog.find("outlook")->servers.at(MailProtocol::Smtp).port == 587);
    const auto* generic = catalog.find("generic");
    REQUIRE(generic);
    CHECK(generic->servers.empty());
    CHECK_FALSE(generic->oauth);
}

TEST_CASE("a JSON syntax error names the file, line and column", "[providers]") {
    // The comma after "Outlook" (line 6) is missing: the parser stops on the last byte of the next
    // key, line 7 (nlohmann's position is the last byte it read).
    CHECK(error_for(sample_with(R"("Outlook",)", R"("Outlook")")) ==
          "test.json line 7, column 15: this is not well-formed JSON (unexpected string literal; expected '}'). Look "
          "for a missing or extra comma, quote, brace or bracket at or just before this place.");
    // A stray comma before a closing brace, line 21 column 9.
    CHECK(error_for(sample_with(R"("tls": "starttls")", R"("tls": "starttls",)"))
              .rfind("test.json line 21, column 9: this is not well-formed JSON (", 0) == 0);
    // A file cut short: the error is at its end.
    CHECK(error_for(sample.substr(0, sample.find("\"generic\""))).rfind("test.json line 25, column 13:", 0) == 0);
    CHECK(error_for("").rfind("test.json line 1, column 1:", 0) == 0);
    // A string left open quotes only the end of what was read, not the rest of the file.
    const auto open = error_for("{\n\"format\": 1,\n\"providers\": [\"" + std::string(5000, 'x'));
    CHECK(open.rfind("test.json line 3, column 5016: this is not well-formed JSON (", 0) == 0);
    CHECK(open.find("last read: '..." + std::string(40, 'x') + "'") != std::string::npos);
    CHECK(open.size() < 300);
    CHECK(error_for("{\n  \"format\": 1,\n  \"providers\": [tru]\n}").rfind("test.json line 3, column 20:", 0) == 0);
}

TEST_CASE("a missing field names the line of the object that lacks it", "[providers]") {
    CHECK(error_for(sample_with(R"("tenant": "consumers",)", "")) ==
          R"(test.json line 8: provider 'outlook': "oauth.tenant" is missing.)");
    CHECK(error_for(sample_with(R"("host": "smtp.example",)", "")) ==
          R"(test.json line 17: provider 'outlook': "servers.smtp.host" is missing.)");
    CHECK(error_for(sample_with(R"("port": 587,)", "")) ==
          R"(test.json line 17: provider 'outlook': "servers.smtp.port" is missing (a number from 1 to 65535, e.g. 993).)");
    CHECK(error_for(sample_with(R"("display_name": "Other mail provider")", R"("domains": [])")) ==
          R"(test.json line 24: provider 'generic': "display_name" is missing.)");
    CHECK(error_for(sample_with(R"("id": "generic",)", "")) ==
          R"(test.json line 24: provider number 2: "id" is missing.)");
    CHECK(error_for(sample_with(R"("scopes": {"imap": ["IMAP", "offline_access"]})", R"("client_id": "x")"))
              .rfind(R"(test.json line 8: provider 'outlook': "oauth.scopes" is missing)", 0) == 0);
    CHECK(error_for(sample_with("  \"format\": 1,\n", "")).rfind(R"(test.json line 1: "format" is missing)", 0) == 0);
    CHECK(error_for(R"({"format": 1})") == R"(test.json line 1: "providers" is missing (a list [ ... ] of providers).)");
}

TEST_CASE("a field of the wrong type names the line of its value", "[providers]") {
    CHECK(error_for(sample_with(R"("port": 587)", R"("port": "587")")) ==
          R"(test.json line 19: provider 'outlook': "servers.smtp.port" must be a number from 1 to 65535, not "587".)");
    CHECK(error_for(sample_with(R"("domains": ["outlook.com"])", R"("domains": "outlook.com")")) ==
          R"(test.json line 7: provider 'outlook': "domains" must be a list [ ... ] of text in quotes.)");
    CHECK(error_for(sample_with(R"(["outlook.com"])", R"(["outlook.com", 7])")) ==
          R"(test.json line 7: provider 'outlook': "domains" must hold only text in quotes, not 7.)");
    CHECK(error_for(sample_with(R"("host": "imap.example")", R"("host": 5)")) ==
          R"(test.json line 16: provider 'outlook': "servers.imap.host" must be text in quotes, not 5.)");
    CHECK(error_for(sample_with(R"(["IMAP", "offline_access"])", R"(["IMAP", {"a": 1}])")) ==
          R"(test.json line 13: provider 'outlook': "oauth.scopes.imap" must hold only text in quotes, not an object { ... }.)");
    CHECK(error_for(sample_with(R"("display_name": "Outlook")", R"("display_name": ["Outlook"])")) ==
          R"(test.json line 6: provider 'outlook': "display_name" must be text in quotes, not a list [ ... ].)");
    CHECK(error_for(sample_with(R"("servers": {)", R"("server_saves_sent": "yes", "servers": {)")) ==
          R"(test.json line 15: provider 'outlook': "server_saves_sent" must be true or false, not "yes".)");
    CHECK(error_for(sample_with(R"("imap": {"host": "imap.example", "port": 993, "tls": "ssl"})", R"("imap": 993)")) ==
          R"(test.json line 16: provider 'outlook': "servers.imap" must be an object { ... }.)");
    CHECK(error_for(sample_with(R"("format": 1)", R"("format": "1")")) ==
          R"(test.json line 2: "format" is "1", but this version of Tern reads only format 1.)");
    CHECK(error_for(sample_with(R"("providers": [)", R"("providers": 3, "x": [)")) ==
          R"(test.json line 3: "providers" must be a list [ ... ] of providers.)");
    CHECK(error_for("[]") ==
          R"(test.json line 1: the file must hold one JSON object { "format": 1, "providers": [ ... ] }, not a list [ ... ].)");
    CHECK(error_for(R"({"format": 1, "providers": [7]})") ==
          R"(test.json line 1: provider number 1: each provider must be an object { "id": ..., "display_name": ..., ... }.)");
}

TEST_CASE("a bad port, TLS mode or protocol names the line of its value", "[providers]") {
    CHECK(error_for(sample_with(R"("port": 587)", R"("port": 70000)")) ==
          R"(test.json line 19: provider 'outlook': "servers.smtp.port" must be a number from 1 to 65535, not 70000.)");
    CHECK(error_for(sample_with(R"("port": 993)", R"("port": 0)")) ==
          R"(test.json line 16: provider 'outlook': "servers.imap.port" must be a number from 1 to 65535, not 0.)");
    CHECK(error_for(sample_with(R"("port": 993)", R"("port": -993)")).find("not -993") != std::string::npos);
    CHECK(error_for(sample_with(R"("port": 993)", R"("port": 993.5)")).find("not 993.5") != std::string::npos);
    CHECK(error_for(sample_with(R"("port": 993)", R"("port": 18446744073709551615)")).find("1 to 65535") !=
          std::string::npos);
    CHECK(error_for(sample_with(R"("tls": "starttls")", R"("tls": "tls1.3")")) ==
          R"(test.json line 20: provider 'outlook': "servers.smtp.tls" is the TLS mode: it must be "ssl", "starttls" or "none", not "tls1.3".)");
    CHECK(error_for(sample_with(R"("imap": {"host")", R"("nntp": {"host")")) ==
          R"(test.json line 16: provider 'outlook': "servers.nntp" is not a protocol: Tern knows "imap", "pop3" and "smtp".)");
    CHECK(error_for(sample_with(R"("scopes": {"imap")", R"("scopes": {"jmap")")) ==
          R"(test.json line 13: provider 'outlook': "oauth.scopes.jmap" is not a protocol: Tern knows "imap", "pop3" and "smtp".)");
    CHECK(error_for(sample_with(R"("tenant": "consumers",)", R"("tenant": "consumers", "sasl_mechanism": "PLAIN",)")) ==
          R"(test.json line 12: provider 'outlook': "oauth.sasl_mechanism" must be "XOAUTH2" or "OAUTHBEARER", not "PLAIN".)");
}

TEST_CASE("a provider id used twice is refused, naming both lines", "[providers]") {
    CHECK(error_for(sample_with(R"("id": "generic")", R"("id": "outlook")")) ==
          R"(test.json line 25: provider 'outlook': the id "outlook" is already used by the provider on line 5: give each provider its own id.)");
}

TEST_CASE("only a provider without OAuth may leave its servers out", "[providers]") {
    const auto generic_oauth = sample_with(R"("display_name": "Other mail provider")",
                                           R"("display_name": "Other mail provider",
      "oauth": {"authorize_url": "a", "token_url": "t", "device_code_url": "d", "tenant": "common",
                "scopes": {}})");
    CHECK(error_for(generic_oauth) ==
          R"(test.json line 24: provider 'generic': "servers" is missing: a provider with "oauth" needs the servers that accept its sign-in.)");
    // An empty "servers" is a mistake either way: it says to leave it out when that is what was meant.
    const auto empty = error_for(sample_with(R"("display_name": "Other mail provider")",
                                             R"("display_name": "Other mail provider", "servers": {})"));
    CHECK(empty.rfind(R"(test.json line 26: provider 'generic': "servers" names no server)", 0) == 0);
    CHECK(empty.find("leave \"servers\" out") != std::string::npos);
    // Fallback servers alone are allowed (password servers of a provider without OAuth).
    const auto catalog = ProviderCatalog::parse(
        sample_with(R"("display_name": "Other mail provider")",
                    R"("display_name": "Other mail provider",
      "fallback_servers": {"imap": {"host": "h", "port": 143, "tls": "starttls"}})"),
        "test.json");
    CHECK(catalog.find("generic")->servers.empty());
    CHECK(catalog.find("generic")->fallback_servers.at(MailProtocol::Imap).port == 143);
}

TEST_CASE("the source map finds where each value starts, by JSON pointer", "[providers]") {
    const JsonSourceMap map(sample);
    CHECK(map.complete());
    CHECK(map.line_of("") == 1u);
    CHECK(map.line_of("/format") == 2u);
    CHECK(map.line_of("/providers") == 3u);
    CHECK(map.line_of("/providers/0") == 4u);
    CHECK(map.line_of("/providers/0/domains/0") == 7u);
    CHECK(map.line_of("/providers/0/oauth/scopes/imap/1") == 13u);
    CHECK(map.line_of("/providers/0/servers/imap/port") == 16u);
    CHECK(map.line_of("/providers/0/servers/smtp") == 17u);
    CHECK(map.line_of("/providers/0/servers/smtp/tls") == 20u);
    CHECK(map.line_of("/providers/1/id") == 25u);
    CHECK_FALSE(map.line_of("/providers/2"));
    CHECK_FALSE(map.line_of("/providers/0/servers/pop3"));
    const auto port = map.find("/providers/0/servers/imap/port");
    REQUIRE(port);
    CHECK(port->column == 50);
    CHECK(sample.compare(port->offset, 3, "993") == 0);
}

TEST_CASE("the source map reads strings with escapes and keys that need pointer escaping", "[providers]") {
    const std::string text = "{\"a\\\"b\": [1,\n \"x\\\\\\\"]\", {\"k\": true}],\n"
                             "\"c/d~e\": null, \"\\u00e9t\\u00E9\": \"\\n\",\n"
                             "\"\\ud83d\\ude00\": 1, \"\\/\": [[], {}, [\n[2]]], \"\": -1.5e3}";
    const JsonSourceMap map(text);
    CHECK(map.complete());
    CHECK(map.line_of("/a\"b") == 1u);
    CHECK(map.line_of("/a\"b/1") == 2u);
    CHECK(map.line_of("/a\"b/2/k") == 2u);
    CHECK(map.line_of("/c~1d~0e") == 3u);
    CHECK(map.line_of("/\xC3\xA9t\xC3\xA9") == 3u);
    CHECK(map.line_of("/\xF0\x9F\x98\x80") == 4u);
    CHECK(map.line_of("/~1/1") == 4u);
    CHECK(map.line_of("/~1/2/0/0") == 5u);
    CHECK(map.line_of("/") == 5u);
    CHECK(map.find("/")->column == 12);
    CHECK(pointer_token("a/b~c") == "a~1b~0c");
}

TEST_CASE("the source map keeps the last of duplicate keys, as nlohmann does", "[providers]") {
    const JsonSourceMap map("{\"a\": 1,\n\"a\": 2}");
    CHECK(map.line_of("/a") == 2u);
}

TEST_CASE("the source map survives broken and deeply nested text", "[providers]") {
    for (const std::string text : {"", "{", "[", "{\"a\"", "{\"a\":", "[1,", "\"abc", "\"\\u12", "}", "]]", "{1: 2}",
                                   "[1 2]", "{\"a\" 1}", "\"a\nb\"", "[\"\\", "{} {}"}) {
        const JsonSourceMap map(text);
        CHECK_FALSE(map.complete());
    }
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const JsonSourceMap map(deep);
    CHECK(map.complete());
    CHECK(map.line_of("/0/0/0") == 1u);
    CHECK_FALSE(map.line_of("/" + std::string(100, '0')));  // past the recorded depth
    // nlohmann accepts it too; the loader says why it is no providers file, without recursing.
    CHECK(error_for(deep).find("must hold one JSON object") != std::string::npos);
    CHECK(error_for("{\"format\": 1, \"providers\": [{\"id\": \"a\", \"display_name\": \"A\", \"domains\": [" +
                    deep + "]}]}")
              .find("must hold only text") != std::string::npos);
}

TEST_CASE("position_at turns a byte offset into a line and column", "[providers]") {
    const std::string text = "ab\ncd\n\nef";
    CHECK(position_at(text, 0).line == 1);
    CHECK(position_at(text, 0).column == 1);
    CHECK(position_at(text, 4).line == 2);
    CHECK(position_at(text, 4).column == 2);
    CHECK(position_at(text, 6).line == 3);
    CHECK(position_at(text, 8).column == 2);
    CHECK(position_at(text, 999).offset == text.size());
    CHECK(position_at(text, 999).line == 4);
}

TEST_CASE("every prefix and hundreds of random mutations of providers.json load or give a clear error", "[providers]") {
    const std::string original = shipped_providers_text();
    std::size_t loaded = 0, refused = 0, well_formed_but_refused = 0;
    // Either a catalog or a BadInput error that names the file and a line; nothing else escapes.
    auto attempt = [&](const std::string& text) {
        try {
            ProviderCatalog::parse(text, "fuzz.json");
            ++loaded;
        } catch (const Error& e) {
            ++refused;
            INFO("input: " << text << "\nmessage: " << e.message() << "\ndetail: " << e.detail());
            REQUIRE(e.category() == ErrorCategory::BadInput);
            REQUIRE(e.message().rfind("fuzz.json line ", 0) == 0);
            if (e.message().find("well-formed") == std::string::npos) ++well_formed_but_refused;
        } catch (const std::exception& e) {
            FAIL("input: " << text << "\nthrew a non-Tern exception: " << e.what());
        }
        const JsonSourceMap map(text);  // must not crash either, whatever the text
    };

    for (std::size_t length = 0; length <= original.size(); ++length) attempt(original.substr(0, length));
    CHECK(loaded == 2);  // the whole file, and the whole file but its final newline

    std::mt19937 random(20260107);  // fixed seed: the same inputs on every run and machine
    const std::string interesting = "{}[]\",:\\0-9.eE \n\x01\x7f\xff\xc3";
    for (int round = 0; round < 500; ++round) {
        std::string text = original;
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            const std::size_t at = random() % text.size();
            const char byte = random() % 2 ? interesting[random() % interesting.size()] : static_cast<char>(random() % 256);
            switch (random() % 4) {
                case 0: text[at] = byte; break;
                case 1: text.insert(at, 1, byte); break;
                case 2: text.erase(at, 1 + random() % 8); break;
                default: {  // a digit changed keeps the JSON valid and tests the value checks
                    const auto digit = text.find_first_of("0123456789", at);
                    if (digit != std::string::npos) text[digit] = static_cast<char>('0' + random() % 10);
                }
            }
        }
        attempt(text);
    }
    CHECK(refused > 0);
    CHECK(well_formed_but_refused > 0);  // the mutations reach the field checks, not only the JSON parser
}

TEST_CASE("a number too large to read is refused with its line, not as a bug", "[providers]") {
    // Found by fuzz/providers_fuzzer.cpp: nlohmann refuses 7E777 with out_of_range, not parse_error.
    try {
        ProviderCatalog::parse("{\n  \"format\": 1,\n  \"providers\": [{\"id\": \"a\", \"port\": 7E777}]\n}", "big.json");
        FAIL("loaded");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::BadInput);
        INFO(e.message());
        CHECK(e.message().rfind("big.json line 3, column 37: a number is too large", 0) == 0);
    }
    try {
        ProviderCatalog::parse("7E77777777777777777777777?7767777\"fo@", "fuzz.json");
        FAIL("loaded");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::BadInput);
        CHECK(e.message().rfind("fuzz.json line ", 0) == 0);
    }
}
