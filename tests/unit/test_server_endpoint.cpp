#include "tern/core/error.hpp"
#include "tern/mail/server_endpoint.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::mail;

TEST_CASE("HOST:PORT:TLS parses", "[endpoint]") {
    auto e = parse_endpoint(MailProtocol::Imap, "imap-mail.outlook.com:993:ssl");
    CHECK(e.host == "imap-mail.outlook.com");
    CHECK(e.port == 993);
    CHECK(e.tls == TlsMode::Ssl);
    CHECK(parse_endpoint(MailProtocol::Smtp, "smtp-mail.outlook.com:587:starttls").tls == TlsMode::StartTls);
    auto v6 = parse_endpoint(MailProtocol::Pop3, "[::1]:995:none");
    CHECK(v6.host == "::1");
    CHECK(v6.tls == TlsMode::None);
}

TEST_CASE("bad endpoints say which part is wrong", "[endpoint]") {
    auto message_for = [](const char* text) {
        try {
            parse_endpoint(MailProtocol::Imap, text);
        } catch (const Error& e) {
            CHECK(e.category() == ErrorCategory::BadInput);
            return e.message();
        }
        FAIL("accepted " << text);
        return std::string();
    };
    CHECK(message_for("host").find("no port") != std::string::npos);
    CHECK(message_for("host:993").find("port") != std::string::npos);
    CHECK(message_for(":993:ssl").find("no host") != std::string::npos);
    CHECK(message_for("host:99999:ssl").find("1 to 65535") != std::string::npos);
    CHECK(message_for("host:x:ssl").find("1 to 65535") != std::string::npos);
    CHECK(message_for("host:993:tls13").find("unknown TLS mode") != std::string::npos);
}
