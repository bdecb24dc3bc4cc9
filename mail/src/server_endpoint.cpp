#include "tern/mail/server_endpoint.hpp"

#include "tern/core/error.hpp"

#include <charconv>

namespace tern::mail {

std::string_view to_string(MailProtocol protocol) {
    switch (protocol) {
    case MailProtocol::Imap: return "imap";
    case MailProtocol::Pop3: return "pop3";
    case MailProtocol::Smtp: return "smtp";
    }
    return "imap";
}

std::string_view to_string(TlsMode tls) {
    switch (tls) {
    case TlsMode::Ssl: return "ssl";
    case TlsMode::StartTls: return "starttls";
    case TlsMode::None: return "none";
    }
    return "ssl";
}

std::optional<MailProtocol> protocol_from_string(std::string_view text) {
    for (auto p : {MailProtocol::Imap, MailProtocol::Pop3, MailProtocol::Smtp})
        if (to_string(p) == text) return p;
    return std::nullopt;
}

std::optional<TlsMode> tls_from_string(std::string_view text) {
    for (auto t : {TlsMode::Ssl, TlsMode::StartTls, TlsMode::None})
        if (to_string(t) == text) return t;
    return std::nullopt;
}

ServerEndpoint parse_endpoint(MailProtocol protocol, std::string_view text) {
    auto bad = [&](const std::string& why) {
        return Error(ErrorCategory::BadInput,
                     "The " + std::string(to_string(protocol)) + " server \"" + std::string(text) + "\" " + why +
                         " Write it as HOST:PORT:TLS, for example imap-mail.outlook.com:993:ssl "
                         "(TLS is ssl, starttls or none).");
    };
    const auto tls_colon = text.rfind(':');
    if (tls_colon == std::string_view::npos) throw bad("has no port and TLS mode.");
    const auto port_colon = text.rfind(':', tls_colon == 0 ? 0 : tls_colon - 1);
    if (port_colon == std::string_view::npos || port_colon == tls_colon) throw bad("lacks its port or its TLS mode.");

    ServerEndpoint endpoint;
    endpoint.protocol = protocol;
    std::string_view host = text.substr(0, port_colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) throw bad("has no host name.");
    endpoint.host = std::string(host);

    const auto port_text = text.substr(port_colon + 1, tls_colon - port_colon - 1);
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), endpoint.port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || endpoint.port < 1 || endpoint.port > 65535)
        throw bad("has a port that is not a number from 1 to 65535.");

    auto tls = tls_from_string(text.substr(tls_colon + 1));
    if (!tls) throw bad("has an unknown TLS mode.");
    endpoint.tls = *tls;
    return endpoint;
}

}  // namespace tern::mail
