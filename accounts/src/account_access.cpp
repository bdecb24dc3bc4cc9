#include "tern/accounts/account_access.hpp"

#include "tern/accounts/account_credentials.hpp"
#include "tern/accounts/account_repository.hpp"
#include "tern/accounts/profile_settings.hpp"
#include "tern/mail/login_check.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace tern::accounts {
namespace {

bool refused(const Error& e) {
    return e.category() == ErrorCategory::AuthRejected || e.category() == ErrorCategory::PolicyBlocked;
}

// The protocol a retry or a test signs in to: IMAP, else POP3 (an account has one of them).
std::optional<mail::MailProtocol> reading_protocol(const std::vector<mail::ServerEndpoint>& servers) {
    std::optional<mail::MailProtocol> found;
    for (const auto& s : servers) {
        if (s.protocol == mail::MailProtocol::Imap) return s.protocol;
        if (s.protocol == mail::MailProtocol::Pop3) found = s.protocol;
    }
    return found;
}

}  // namespace

FallbackSettings fallback_settings(Database& db) {
    FallbackSettings settings;
    if (const auto hours = positive_setting(db, "fallback.retry_hours")) settings.retry_interval = std::chrono::hours(*hours);
    if (const auto failures = positive_setting(db, "fallback.failures_before_switch"))
        settings.transient_failures_before_fallback = static_cast<int>(*failures);
    return settings;
}

AccountAccess::AccountAccess(Account account, AccountServices services)
    : account_(std::move(account)), services_(std::move(services)), policy_(services_.settings) {
    session_ = std::make_unique<AccountSession>(account_, services_.profile_id, services_.catalog, services_.secrets);
}

AccountAccess::~AccountAccess() = default;

std::int64_t AccountAccess::now() const {
    if (services_.now) return services_.now();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

FallbackState AccountAccess::state() const {
    FallbackState s;
    s.mode = account_.mode;
    s.reason = account_.fallback_reason;
    s.since = account_.fallback_since;
    s.last_oauth_attempt = account_.last_oauth_attempt;
    s.transient_failures = account_.oauth_transient_failures;
    return s;
}

void AccountAccess::save(const FallbackState& s) {
    const bool mode_changed = s.mode != account_.mode;
    account_.mode = s.mode;
    account_.fallback_reason = s.reason;
    account_.fallback_since = s.since;
    account_.last_oauth_attempt = s.last_oauth_attempt;
    account_.oauth_transient_failures = s.transient_failures;
    AccountRepository(services_.db).save_fallback_state(account_);
    // The session's credentials and servers follow the mode.
    if (mode_changed)
        session_ = std::make_unique<AccountSession>(account_, services_.profile_id, services_.catalog, services_.secrets);
}

void AccountAccess::tell(const PolicyDecision& decision) const {
    if (services_.prompts.tell) services_.prompts.tell(account_, decision);
}

bool AccountAccess::has_server(mail::MailProtocol protocol) const {
    const auto& servers = account_.mode == AccountMode::PasswordFallback ? account_.fallback_servers : account_.servers;
    for (const auto& s : servers)
        if (s.protocol == protocol) return true;
    return false;
}

std::optional<mail::ConnectionOptions> AccountAccess::connection(mail::MailProtocol protocol,
                                                                 std::shared_ptr<const CancelToken> cancel) {
    return session_->connection(protocol, std::move(cancel));
}

PolicyDecision AccountAccess::run(mail::MailProtocol protocol, const Work& work,
                                  std::shared_ptr<const CancelToken> cancel) {
    auto options = session_->connection(protocol, cancel);
    if (!options)
        throw Error(ErrorCategory::NotFound, account_.email + " has no " + std::string(mail::to_string(protocol)) +
                                                 " server in its " + std::string(to_string(account_.mode)) + " mode.");
    if (account_.mode != AccountMode::OAuth) {
        work(*options);
        return {};
    }
    if (const auto credentials = session_->token_credentials()) credentials->clear_failures();
    try {
        work(*options);
        if (account_.oauth_transient_failures > 0) {  // the platform answers again
            auto s = state();
            s.transient_failures = 0;
            save(s);
        }
        return {};
    } catch (const Error& e) {
        if (e.category() == ErrorCategory::Cancelled) throw;
        const auto credentials = session_->token_credentials();
        const auto platform_failure = credentials ? credentials->platform_failure() : std::nullopt;
        const bool fresh_refused = credentials && credentials->fresh_token_refused();
        const Error& judged = platform_failure ? *platform_failure : e;
        auto s = state();
        const auto decision = policy_.on_oauth_failure(
            s, platform_failure ? FailureSource::IdentityPlatform : FailureSource::MailServer, judged, fresh_refused,
            now());
        if (decision.action == PolicyAction::SwitchToFallback) {
            spdlog::warn("{}: switching to password sign-in: {} ({})", account_.email, decision.reason, judged.log_line());
            switch_to_fallback(s, decision, cancel);
            auto fallback = session_->connection(protocol, cancel);
            if (!fallback)
                throw Error(ErrorCategory::NotFound, account_.email + " switched to password sign-in, but has no " +
                                                         std::string(mail::to_string(protocol)) + " fallback server.");
            work(*fallback);
            return decision;
        }
        save(s);  // failures in a row, last attempt
        if (decision.action == PolicyAction::Guidance) {
            tell(decision);
            throw Error(judged.category(), decision.message.empty() ? judged.message() : decision.message,
                        judged.detail(), judged.context());
        }
        throw judged;
    }
}

void AccountAccess::switch_to_fallback(FallbackState s, const PolicyDecision& decision,
                                       std::shared_ptr<const CancelToken> cancel) {
    // Recorded first: whatever happens next (no password yet, a refusal, Ctrl-C), the account
    // says it is in fallback and why.
    save(s);
    tell(decision);
    const auto key = password_key(services_.profile_id, account_.email);
    if (!services_.secrets.load(key)) {
        std::optional<Secret> password;
        if (services_.prompts.ask_password) password = services_.prompts.ask_password(account_, decision);
        if (!password || password->empty())
            throw Error(ErrorCategory::AuthRejected,
                        "Microsoft sign-in failed (" + decision.reason + "), so " + account_.email +
                            " now uses password sign-in, but no password is stored. Enter it with: tern-cli login " +
                            account_.email + " --password");
        services_.secrets.store(key, *password);
    }
    test_password(std::move(cancel));
}

void AccountAccess::test_password(std::shared_ptr<const CancelToken> cancel) {
    // IMAP (or POP3) and SMTP: an account that can read but not send is not working.
    const auto& servers = account_.mode == AccountMode::PasswordFallback ? account_.fallback_servers : account_.servers;
    std::vector<mail::MailProtocol> protocols;
    if (const auto reading = reading_protocol(servers)) protocols.push_back(*reading);
    for (const auto& s : servers)
        if (s.protocol == mail::MailProtocol::Smtp) protocols.push_back(s.protocol);
    if (protocols.empty())
        throw Error(ErrorCategory::BadInput, account_.email + " has no servers to sign in to with a password: add "
                                                              "them to the provider's fallback_servers, or with "
                                                              "tern-cli account add.");
    for (const auto protocol : protocols) {
        try {
            mail::check_login(*session_->connection(protocol, cancel));
        } catch (const Error& e) {
            if (!refused(e)) throw;
            services_.secrets.remove(password_key(services_.profile_id, account_.email));
            if (account_.mode != AccountMode::PasswordFallback) throw;
            auto s = state();
            const auto decision = policy_.on_fallback_refused(s, e);
            save(s);
            tell(decision);
            throw Error(e.category(), decision.message, e.detail(), e.context());
        }
    }
}

bool AccountAccess::oauth_retry_due(bool at_start) const { return policy_.oauth_retry_due(state(), now(), at_start); }

PolicyDecision AccountAccess::retry_oauth(std::shared_ptr<const CancelToken> cancel) {
    const auto protocol = reading_protocol(account_.servers);
    if (!protocol)
        throw Error(ErrorCategory::BadInput, account_.email + " has no IMAP or POP3 server to sign in to with OAuth.");
    if (account_.mode == AccountMode::Password)
        throw Error(ErrorCategory::BadInput, account_.email + " is a password account: it has no Microsoft sign-in to try.");
    // A session of its own: in fallback mode the account's session holds the password.
    AccountSession trial(account_, services_.profile_id, services_.catalog, services_.secrets);
    auto s = state();
    try {
        mail::check_login(*trial.oauth_connection(*protocol, cancel));
    } catch (const Error& e) {
        if (e.category() == ErrorCategory::Cancelled) throw;
        const auto credentials = trial.token_credentials();
        const auto platform_failure = credentials ? credentials->platform_failure() : std::nullopt;
        const bool fresh_refused = credentials && credentials->fresh_token_refused();
        const Error& judged = platform_failure ? *platform_failure : e;
        auto decision = policy_.on_oauth_failure(s, platform_failure ? FailureSource::IdentityPlatform : FailureSource::MailServer,
                                                 judged, fresh_refused, now());
        if (decision.action == PolicyAction::SwitchToFallback) {  // tried on an account still in OAuth
            switch_to_fallback(s, decision, cancel);
            return decision;
        }
        s.last_oauth_attempt = now();
        save(s);
        if (decision.message.empty()) decision.message = judged.message();
        spdlog::info("{}: Microsoft sign-in tried again: {} ({})", account_.email, to_string(decision.action),
                     judged.log_line());
        tell(decision);
        return decision;
    }
    const auto decision = policy_.on_oauth_success(s, now());
    save(s);
    if (decision.action == PolicyAction::ReturnToOAuth) {
        services_.secrets.remove(password_key(services_.profile_id, account_.email));
        spdlog::info("{}: back on Microsoft sign-in", account_.email);
        tell(decision);
    }
    return decision;
}

void AccountAccess::set_password(const Secret& password, std::shared_ptr<const CancelToken> cancel) {
    if (account_.mode == AccountMode::OAuth)
        throw Error(ErrorCategory::BadInput, account_.email + " signs in with Microsoft, not a password. Sign in with: "
                                                              "tern-cli login " + account_.email + " (or --device)");
    services_.secrets.store(password_key(services_.profile_id, account_.email), password);
    test_password(std::move(cancel));
}

}  // namespace tern::accounts
