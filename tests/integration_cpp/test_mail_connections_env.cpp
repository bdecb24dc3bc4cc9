// mail/ connections against the real Dovecot and Postfix of tests/env: every TLS mode, password
// and token sign-in (XOAUTH2, OAUTHBEARER) with tokens from the fake identity platform, a token
// refreshed once after a refusal, certificate pinning, a STARTTLS-stripping attacker, and the
// network failures the fallback policy and the retry loops branch on.
#include "env_file.hpp"
#include "loopback_servers.hpp"
#include "starttls_stripping_proxy.hpp"
#include "tern/auth/device_code_flow.hpp"
#include "tern/auth/token_endpoint.hpp"
#include "tern/mail/login_check.hpp"
#include "tern/mail/smtp_submission.hpp"

#include <chrono>
#include <thread>

using namespace tern;
using namespace tern::mail;
using namespace std::chrono_literals;

namespace {

struct MailEnv {
    test::TestEnvironment env;

    ServerEndpoint server(MailProtocol protocol, const std::string& port_key, TlsMode tls) const {
        return {protocol, "127.0.0.1", std::stoi(env.get(port_key)), tls, {}};
    }

    ConnectionOptions options(ServerEndpoint server, SaslMechanism mechanism, const std::string& user,
                              const std::string& secret) const {
        ConnectionOptions o;
        o.server = std::move(server);
        o.credentials = std::make_shared<FixedCredentials>(SaslLogin{mechanism, user, Secret(secret)});
        o.trust.extra_ca_file = env.get("TERN_CA_FILE");
        o.timeout = 10s;
        return o;
    }

    ConnectionOptions alice(ServerEndpoint server) const {
        return options(std::move(server), SaslMechanism::Password, env.get("PASSWORD_USER1"),
                       env.get("PASSWORD_USER1_PASSWORD"));
    }
};

// Signs carol in by device code (approved through the admin interface) and holds her tokens.
struct SignedIn {
    MailEnv& mail;
    std::string user = mail.env.get("OAUTH_USER1");
    auth::OAuthConfig config = mail.env.oauth_config("organizations");
    auth::TokenEndpoint endpoint{mail.env.http(), config, user};
    auth::TokenGrant grant;

    explicit SignedIn(MailEnv& m) : mail(m) {
        mail.env.admin("/admin/reset", "{}");
        mail.env.admin("/admin/device/settings", R"({"interval": 1})");
        const auto authorization = endpoint.request_device_code(nullptr);
        mail.env.admin("/admin/device/approve",
                       R"({"user_code": ")" + authorization.user_code + R"(", "user": ")" + user + "\"}");
        grant = auth::wait_for_device_grant(endpoint, authorization, CancelToken());
        REQUIRE(grant.refresh_token);
    }
    ~SignedIn() {
        try {
            mail.env.admin("/admin/reset", "{}");
        } catch (...) {
        }
    }
};

// Hands out carol's access token; when the server refuses one, refreshes it (once) as accounts/
// will with TokenManager.
class RefreshingCredentials final : public SaslCredentials {
public:
    RefreshingCredentials(SignedIn& s, SaslMechanism mechanism) : s_(s), mechanism_(mechanism) {}
    SaslLogin login(const CancelToken&) override {
        ++logins;
        return {mechanism_, s_.user, s_.grant.access_token};
    }
    bool refused(const SaslLogin&, const Error& why) override {
        refusals.push_back(why);
        if (refusals.size() > 1) return false;
        s_.grant = s_.endpoint.refresh(*s_.grant.refresh_token, nullptr);
        return true;
    }
    int logins = 0;
    std::vector<Error> refusals;

private:
    SignedIn& s_;
    SaslMechanism mechanism_;
};

template <typename F>
Error failure_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no error was thrown");
    return Error(ErrorCategory::Internal, "unreachable");
}

std::string message_to(const std::string& from, const std::string& to, const std::string& subject) {
    return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject +
           "\r\nMessage-ID: <" + subject + "@tern.test>\r\n\r\nHello from the mail connection tests.\r\n";
}

}  // namespace

TEST_CASE("password sign-in is encrypted on IMAPS, IMAP STARTTLS, POP3S and submission STARTTLS", "[mail-env]") {
    MailEnv m;
    for (const auto& server : {m.server(MailProtocol::Imap, "IMAPS_PORT", TlsMode::Ssl),
                               m.server(MailProtocol::Imap, "IMAP_PORT", TlsMode::StartTls),
                               m.server(MailProtocol::Pop3, "POP3S_PORT", TlsMode::Ssl),
                               m.server(MailProtocol::Smtp, "SUBMISSION_PORT", TlsMode::StartTls),
                               m.server(MailProtocol::Imap, "FALLBACK_IMAPS_PORT", TlsMode::Ssl),
                               m.server(MailProtocol::Smtp, "FALLBACK_SUBMISSION_PORT", TlsMode::StartTls)}) {
        INFO(to_string(server.protocol) << " port " << server.port);
        const auto check = check_login(m.alice(server));
        CHECK(check.encrypted);
    }
}

TEST_CASE("a wrong password is auth-rejected with the server's own words", "[mail-env]") {
    MailEnv m;
    auto options = m.alice(m.server(MailProtocol::Imap, "IMAPS_PORT", TlsMode::Ssl));
    options.credentials = std::make_shared<FixedCredentials>(
        SaslLogin{SaslMechanism::Password, m.env.get("PASSWORD_USER1"), Secret(std::string("wrong-password"))});
    const auto e = failure_of([&] { check_login(options); });
    CHECK(e.category() == ErrorCategory::AuthRejected);
    CHECK(e.message().find("AUTHENTICATIONFAILED") != std::string::npos);
    CHECK(e.message().find("wrong-password") == std::string::npos);
    CHECK(e.log_line().find("wrong-password") == std::string::npos);

    auto smtp = m.alice(m.server(MailProtocol::Smtp, "SUBMISSION_PORT", TlsMode::StartTls));
    smtp.credentials = options.credentials;
    const auto s = failure_of([&] { check_login(smtp); });
    CHECK(s.category() == ErrorCategory::AuthRejected);
    CHECK(s.context().status.rfind("535", 0) == 0);
}

TEST_CASE("a token from the identity platform signs in to IMAP, POP3 and submission with XOAUTH2 and OAUTHBEARER",
          "[mail-env]") {
    MailEnv m;
    SignedIn carol(m);
    for (const auto mechanism : {SaslMechanism::XOAuth2, SaslMechanism::OAuthBearer}) {
        for (const auto& server : {m.server(MailProtocol::Imap, "IMAPS_PORT", TlsMode::Ssl),
                                   m.server(MailProtocol::Imap, "IMAP_PORT", TlsMode::StartTls),
                                   m.server(MailProtocol::Pop3, "POP3S_PORT", TlsMode::Ssl),
                                   m.server(MailProtocol::Smtp, "SUBMISSION_PORT", TlsMode::StartTls)}) {
            INFO(to_string(mechanism) << " " << to_string(server.protocol) << " port " << server.port);
            auto options = m.options(server, mechanism, carol.user, std::string(carol.grant.access_token.reveal()));
            CHECK(check_login(options).encrypted);
        }
    }
}

TEST_CASE("a message submitted with XOAUTH2 is accepted with 250, and a refused recipient is permanent", "[mail-env]") {
    MailEnv m;
    SignedIn carol(m);
    SmtpSubmitter submitter(m.options(m.server(MailProtocol::Smtp, "SUBMISSION_PORT", TlsMode::StartTls),
                                      SaslMechanism::XOAuth2, carol.user,
                                      std::string(carol.grant.access_token.reveal())));
    const auto bob = m.env.get("PASSWORD_USER2");
    const auto receipt = submitter.submit({carol.user, {bob}, message_to(carol.user, bob, "xoauth2-submission")});
    CHECK(receipt.server_reply.rfind("250", 0) == 0);

    try {
        submitter.submit({carol.user, {"someone@elsewhere.invalid"},
                          message_to(carol.user, "someone@elsewhere.invalid", "refused-recipient")});
        FAIL("a recipient outside example.test was accepted");
    } catch (const SubmissionRefused& e) {
        CHECK(e.meaning().permanent);
        CHECK(e.context().response.rfind("5", 0) == 0);
        CHECK(e.message().find("refused the message") != std::string::npos);
    }
}

TEST_CASE("carol's password is refused where basic auth is off and accepted on the fallback servers", "[mail-env]") {
    MailEnv m;
    const auto carol = m.env.get("OAUTH_USER1");
    const auto password = m.env.get("OAUTH_USER1_PASSWORD");
    const auto main = failure_of([&] {
        check_login(m.options(m.server(MailProtocol::Imap, "IMAPS_PORT", TlsMode::Ssl), SaslMechanism::Password, carol,
                              password));
    });
    CHECK(main.category() == ErrorCategory::AuthRejected);
    CHECK(check_login(m.options(m.server(MailProtocol::Imap, "FALLBACK_IMAPS_PORT", TlsMode::Ssl),
                                SaslMechanism::Password, carol, password))
              .encrypted);
    CHECK(check_login(m.options(m.server(MailProtocol::Smtp, "FALLBACK_SUBMISSION_PORT", TlsMode::StartTls),
                                SaslMechanism::Password, carol, password))
              .encrypted);
}

TEST_CASE("an expired access token is refused once, refreshed, and the second sign-in succeeds", "[mail-env]") {
    MailEnv m;
    m.env.admin("/admin/reset", "{}");
    m.env.admin("/admin/access-token-lifetime", R"({"seconds": 1})");
    SignedIn carol(m);  // resets first: set the lifetime again after it
    m.env.admin("/admin/access-token-lifetime", R"({"seconds": 1})");
    carol.grant = carol.endpoint.refresh(*carol.grant.refresh_token, nullptr);  // a 1-second token
    std::this_thread::sleep_for(1500ms);  // the platform's clock must pass the token's expiry
    m.env.admin("/admin/access-token-lifetime", R"({"seconds": 3600})");

    auto credentials = std::make_shared<RefreshingCredentials>(carol, SaslMechanism::XOAuth2);
    auto options = m.options(m.server(MailProtocol::Imap, "IMAPS_PORT", TlsMode::Ssl), SaslMechanism::XOAuth2,
                             carol.user, "");
    options.credentials = credentials;
    CHECK(check_login(options).encrypted);
    CHECK(credentials->logins == 2);
    REQUIRE(credentials->refusals.size() == 1);
    CHECK(credentials->refusals[0].category() == ErrorCategory::AuthRejected);
}

TEST_CASE("a token refused even after a refresh is reported as auth-rejected, and never logged", "[mail-env]") {
    MailEnv m;
    SignedIn carol(m);
    const std::string token(carol.grant.access_token.reveal());
    m.env.admin("/admin/revoke", R"({"user": ")" + carol.user + "\"}");
    for (const auto& server : {m.server(MailProtocol::Imap, "IMAPS_PORT", TlsMode::Ssl),
                               m.server(MailProtocol::Smtp, "SUBMISSION_PORT", TlsMode::StartTls)}) {
        INFO(to_string(server.protocol));
        auto options = m.options(server, SaslMechanism::XOAuth2, carol.user, token);
        const auto e = failure_of([&] { check_login(options); });
        CHECK(e.category() == ErrorCategory::AuthRejected);
        CHECK(e.message().find("token") != std::string::npos);
        CHECK(e.log_line().find(token) == std::string::npos);
        INFO("command [" << e.context().command << "] response [" << e.context().response << "] status [" << e.context().status << "]");
        CHECK(e.context().command.find("XOAUTH2") != std::string::npos);
    }
}

TEST_CASE("an unknown CA is refused with the fingerprint to pin, and the pinned certificate is then accepted",
          "[mail-env]") {
    MailEnv m;
    auto options = m.alice(m.server(MailProtocol::Imap, "IMAPS_PORT", TlsMode::Ssl));
    options.trust.extra_ca_file.clear();  // the test CA is not trusted: as an unknown CA is
    std::string fingerprint;
    try {
        check_login(options);
        FAIL("a certificate from an unknown CA was accepted");
    } catch (const CertificateRejected& e) {
        CHECK(e.category() == ErrorCategory::TlsCertificate);
        CHECK(e.message().find("does not trust") != std::string::npos);
        fingerprint = e.fingerprint_sha256();
        CHECK(e.message().find(fingerprint) != std::string::npos);
    }
    REQUIRE(fingerprint.size() == 95);
    options.trust.pinned_sha256 = {normalise_fingerprint(fingerprint)};
    CHECK(check_login(options).encrypted);

    // A pin for another certificate does not help.
    options.trust.pinned_sha256 = {normalise_fingerprint(std::string(64, 'a'))};
    CHECK(failure_of([&] { check_login(options); }).category() == ErrorCategory::TlsCertificate);
}

TEST_CASE("STARTTLS stripped by a man in the middle: refused, and no credentials cross the wire", "[mail-env]") {
    MailEnv m;
    for (const auto& [protocol, key] : {std::pair{MailProtocol::Imap, "IMAP_PORT"},
                                        std::pair{MailProtocol::Smtp, "SUBMISSION_PORT"}}) {
        INFO(to_string(protocol));
        test::StartTlsStrippingProxy proxy(std::stoi(m.env.get(key)));
        auto server = m.server(protocol, key, TlsMode::StartTls);
        server.port = proxy.port();
        const auto e = failure_of([&] { check_login(m.alice(server)); });
        CHECK(e.category() == ErrorCategory::TlsHandshake);
        CHECK(e.message().find("STARTTLS") != std::string::npos);
        const auto sent = proxy.client_sent();
        CHECK(sent.find("STARTTLS") != std::string::npos);  // it asked for encryption...
        CHECK(sent.find(m.env.get("PASSWORD_USER1_PASSWORD")) == std::string::npos);  // ...and sent nothing else
        CHECK(sent.find("LOGIN") == std::string::npos);
        CHECK(sent.find("AUTH") == std::string::npos);
    }
}

TEST_CASE("a refused port is a network error, a silent server a timeout, and cancel stops the wait",
          "[mail-env]") {
    MailEnv m;
    test::RefusingPort refusing;
    auto options = m.alice({MailProtocol::Imap, "127.0.0.1", refusing.port(), TlsMode::Ssl, {}});
    CHECK(failure_of([&] { check_login(options); }).category() == ErrorCategory::Network);

    test::RawListener silent(test::RawListener::Behaviour::Silent);
    options.server.port = silent.port();
    options.server.tls = TlsMode::StartTls;  // waits for a greeting that never comes
    options.timeout = 1s;
    const auto started = std::chrono::steady_clock::now();
    const auto timeout = failure_of([&] { check_login(options); });
    CHECK(timeout.category() == ErrorCategory::Timeout);
    CHECK(std::chrono::steady_clock::now() - started < 5s);

    auto cancel = std::make_shared<CancelToken>();
    options.cancel = cancel;
    options.timeout = 60s;
    std::thread canceller([&] {
        std::this_thread::sleep_for(300ms);
        cancel->cancel();
    });
    const auto cancel_started = std::chrono::steady_clock::now();
    const auto cancelled = failure_of([&] { check_login(options); });
    canceller.join();
    CHECK(cancelled.category() == ErrorCategory::Cancelled);
    CHECK(std::chrono::steady_clock::now() - cancel_started < 5s);
}
