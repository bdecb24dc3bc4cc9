// A mail server to connect to: protocol, host, port and how TLS is used.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern::mail {

enum class MailProtocol { Imap, Pop3, Smtp };
// Ssl: TLS from the first byte. StartTls: upgrade required, never skipped. None: only when written out.
enum class TlsMode { Ssl, StartTls, None };

struct ServerEndpoint {
    MailProtocol protocol = MailProtocol::Imap;
    std::string host;
    int port = 0;
    TlsMode tls = TlsMode::Ssl;
    std::string username;  // empty: the account's email address

    friend bool operator==(const ServerEndpoint& a, const ServerEndpoint& b) {
        return a.protocol == b.protocol && a.host == b.host && a.port == b.port && a.tls == b.tls &&
               a.username == b.username;
    }
};

std::string_view to_string(MailProtocol protocol);   // "imap", "pop3", "smtp"
std::string_view to_string(TlsMode tls);             // "ssl", "starttls", "none"
std::optional<MailProtocol> protocol_from_string(std::string_view text);
std::optional<TlsMode> tls_from_string(std::string_view text);

// Parses the command line form HOST:PORT:TLS (e.g. "imap-mail.outlook.com:993:ssl"; an IPv6 host
// goes in brackets). Throws tern::Error (BadInput) that names the part that is wrong.
ServerEndpoint parse_endpoint(MailProtocol protocol, std::string_view text);

}  // namespace tern::mail
