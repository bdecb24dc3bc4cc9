// Drives an SmtpServerSession the way the relay's network code does, answering its actions from a
// script: a TLS handshake that always works, one relay user and password, and a spool that takes
// everything. The replies come back as text; delivered messages are kept for inspection. Shared by
// the session tests and the fuzz target (fuzz/relay_session_fuzzer.cpp), which also looks at every
// batch of actions before it is carried out and may hold the outcomes back, as the server does
// while the spool commits.
#pragma once

#include "tern/mail/relay/smtp_server_session.hpp"

#include <functional>
#include <optional>
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
    // Keep StartTls, Authenticate and Deliver in `outstanding` until answer_outstanding().
    bool defer_outcomes = false;
    // Sees every batch of actions the session returns, before the driver carries it out.
    std::function<void(const std::vector<mail::relay::SessionAction>&)> observe;

    mail::relay::SmtpServerSession session;
    std::string replies;  // everything the session said, in order
    std::vector<mail::relay::SessionAction> delivered;
    std::optional<mail::relay::SessionAction> outstanding;
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
        if (observe) observe(actions);
        for (auto& action : actions) {
            if (action.kind == Kind::Reply)
                replies += action.text;
            else if (action.kind == Kind::Close)
                closed = true;
            else if (defer_outcomes)
                outstanding = std::move(action);
            else
                answer(std::move(action));
        }
    }

    // Answers what is outstanding, and what the session asks next from the bytes it kept.
    void answer_outstanding() {
        while (outstanding) {
            auto action = std::move(*outstanding);
            outstanding.reset();
            answer(std::move(action));
        }
    }

private:
    void answer(mail::relay::SessionAction action) {
        using Kind = mail::relay::SessionAction::Kind;
        switch (action.kind) {
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
            case Kind::Reply:
            case Kind::Close: break;
        }
    }
};

}  // namespace tern::test
