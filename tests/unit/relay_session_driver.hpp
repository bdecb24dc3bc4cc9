// Drives an SmtpServerSession the way the relay's network code does, answering its actions from a
// script: a TLS handshake that always works, one relay user and password, and a spool that takes
// everything. The replies come back as text; delivered messages are kept for inspection. Shared by
// the session tests and the fuzz target.
#pragma once

#include "tern/mail/relay/smtp_server_session.hpp"

#include <string>
#include <vector>

namespace tern::test {

struct RelaySessionDriver {
    explicit RelaySessionDriver(mail::relay::SessionSettings settings = {}) : session(std::move(settings)) {
        run(session.start());
    }

    std::string user = "relay-printer";
    std::string password = "s3cret-relay-password";
    mail::relay::RelayIdentity identity{7, "printer", "scanner@example.test"};
    bool spool_works = true;

    mail::relay::SmtpServerSession session;
    std::string replies;  // everything the session said, in order
    std::vector<mail::relay::SessionAction> delivered;
    int handshakes = 0;
    bool closed = false;

    // Feeds `bytes` and returns what the session answered to them.
    std::string send(std::string_view bytes) {
        const auto before = replies.size();
        run(session.receive(bytes));
        return replies.substr(before);
    }

    void run(std::vector<mail::relay::SessionAction> actions) {
        using Kind = mail::relay::SessionAction::Kind;
        for (auto& action : actions) {
            switch (action.kind) {
                case Kind::Reply: replies += action.text; break;
                case Kind::StartTls:
                    ++handshakes;
                    run(session.tls_started());
                    break;
                case Kind::Authenticate: {
                    const bool ok = action.user == user && action.password.reveal() == password;
                    run(session.authenticated(ok ? std::optional(identity) : std::nullopt));
                    break;
                }
                case Kind::Deliver:
                    delivered.push_back(action);
                    run(session.delivered(spool_works ? std::optional<std::string>("Q" + std::to_string(delivered.size()))
                                                      : std::nullopt));
                    break;
                case Kind::Close: closed = true; break;
            }
        }
    }
};

}  // namespace tern::test
