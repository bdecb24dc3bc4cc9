// One account's way to its mail servers under the OAuth-first policy of DESIGN §4: mail work runs
// with the connection the account's mode gives; when OAuth itself fails the FallbackPolicy judges
// the failure, and a trigger switches the account to its password servers (the password asked
// once, IMAP and SMTP tested, reason and time recorded) and runs the work again there. OAuth is
// tried again when due and on request, and the account returns to it when it works.
//
// Headless: the person is reached through FallbackPrompts (the CLI reads a terminal, the desktop
// app shows a dialog and the banner).
#pragma once

#include "tern/accounts/account.hpp"
#include "tern/accounts/account_session.hpp"
#include "tern/accounts/fallback_policy.hpp"
#include "tern/accounts/provider_catalog.hpp"
#include "tern/auth/credential_store.hpp"
#include "tern/core/cancellation.hpp"
#include "tern/core/database.hpp"
#include "tern/core/secret.hpp"
#include "tern/mail/connection_options.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace tern::accounts {

struct FallbackPrompts {
    // The account's password for the fallback servers, asked once when the account switches and
    // no password is stored. nullopt: nobody can answer now (no terminal, the dialog was closed).
    std::function<std::optional<Secret>(const Account&, const PolicyDecision&)> ask_password;
    // What happened, in words for the person: a switch, guidance, a return to OAuth, a refusal.
    std::function<void(const Account&, const PolicyDecision&)> tell;
};

// The profile's fallback settings (table settings): "fallback.retry_hours" (how often OAuth is
// tried again while in fallback, default 24) and "fallback.failures_before_switch" (default 3).
// A value that is not a positive whole number is ignored with a warning in the log.
FallbackSettings fallback_settings(Database& db);

struct AccountServices {
    Database& db;
    std::string profile_id;
    const ProviderCatalog* catalog = nullptr;  // null: only password accounts work
    auth::CredentialStore& secrets;
    FallbackPrompts prompts;
    FallbackSettings settings{};
    std::function<std::int64_t()> now;  // Unix seconds; empty: the system clock
};

class AccountAccess {
public:
    using Work = std::function<void(const mail::ConnectionOptions&)>;

    AccountAccess(Account account, AccountServices services);
    ~AccountAccess();
    AccountAccess(const AccountAccess&) = delete;
    AccountAccess& operator=(const AccountAccess&) = delete;

    const Account& account() const { return account_; }
    bool has_server(mail::MailProtocol protocol) const;
    // The connection of the account's current mode, for work whose failures need no judging
    // (the copy of a sent message for Sent). nullopt when there is no such server.
    std::optional<mail::ConnectionOptions> connection(mail::MailProtocol protocol,
                                                      std::shared_ptr<const CancelToken> cancel);
    bool server_saves_sent() const { return session_->server_saves_sent(); }

    // Runs `work` with the connection for `protocol` in the account's mode. A failure of an OAuth
    // account goes to the policy: a trigger switches to the password servers and runs `work` once
    // more there (then the decision is returned); anything else is thrown as tern::Error, with
    // the guidance in its message. Throws NotFound when the account has no such server.
    PolicyDecision run(mail::MailProtocol protocol, const Work& work, std::shared_ptr<const CancelToken> cancel);

    // Whether OAuth should be tried again now (password-fallback accounts: at start, then daily).
    bool oauth_retry_due(bool at_start) const;
    // Tries OAuth now: a token, and a sign-in to the primary IMAP (or POP3) server with it.
    // ReturnToOAuth when it worked (the stored password is then removed); otherwise what the
    // policy says (StayInFallback with the reason, or Guidance). Never throws for an OAuth
    // failure; throws BadInput for an account that has no OAuth.
    PolicyDecision retry_oauth(std::shared_ptr<const CancelToken> cancel);

    // The password of a password account, or of an account in password fallback, entered again
    // (tern-cli login --password, the dialog): stored, then tested on the servers of the mode
    // (reading and sending). A refused password is removed again and the refusal thrown, for a
    // fallback account with what the policy makes of it. BadInput for an account in OAuth mode.
    void set_password(const Secret& password, std::shared_ptr<const CancelToken> cancel);

private:
    FallbackState state() const;
    void save(const FallbackState& state);
    std::int64_t now() const;
    // Policy already switched `state`; records it, gets the password and tests the servers.
    void switch_to_fallback(FallbackState state, const PolicyDecision& decision,
                            std::shared_ptr<const CancelToken> cancel);
    // Signs in with the stored password to the servers of the mode (IMAP or POP3, and SMTP). A
    // refusal removes the password; in fallback mode it goes to the policy first.
    void test_password(std::shared_ptr<const CancelToken> cancel);
    void tell(const PolicyDecision& decision) const;

    Account account_;
    AccountServices services_;
    FallbackPolicy policy_;
    std::unique_ptr<AccountSession> session_;
};

}  // namespace tern::accounts
