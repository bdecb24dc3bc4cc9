// One account ready to talk to its servers: the ConnectionOptions for each protocol with the
// credentials its mode calls for (OAuth tokens, or the password of a password or fallback
// account), and the provider facts the mail code needs.
#pragma once

#include "tern/accounts/account.hpp"
#include "tern/accounts/account_credentials.hpp"
#include "tern/accounts/provider_catalog.hpp"
#include "tern/auth/credential_store.hpp"
#include "tern/auth/http_client.hpp"
#include "tern/auth/token_endpoint.hpp"
#include "tern/auth/token_manager.hpp"
#include "tern/mail/connection_options.hpp"

#include <memory>
#include <optional>
#include <string>

namespace tern::accounts {

class AccountSession {
public:
    // `catalog` may be null for accounts of no known provider (then only password modes work).
    AccountSession(Account account, std::string profile_id, const ProviderCatalog* catalog,
                   auth::CredentialStore& store);
    ~AccountSession();

    const Account& account() const { return account_; }
    // The server for `protocol` in the account's current mode and its sign-in: OAuth on the
    // primary servers, a password on the fallback servers in password-fallback mode, a password on
    // the primary servers for a password account. nullopt when there is no such server. Throws
    // tern::Error (BadInput) when an OAuth account's provider has no OAuth settings or client id.
    std::optional<mail::ConnectionOptions> connection(mail::MailProtocol protocol,
                                                      std::shared_ptr<const CancelToken> cancel = nullptr);

    // Whatever the mode: the primary server with OAuth (to try OAuth again while in fallback), or
    // the fallback server with the password (to test it before switching).
    std::optional<mail::ConnectionOptions> oauth_connection(mail::MailProtocol protocol,
                                                            std::shared_ptr<const CancelToken> cancel = nullptr);
    std::optional<mail::ConnectionOptions> fallback_connection(mail::MailProtocol protocol,
                                                               std::shared_ptr<const CancelToken> cancel = nullptr);

    // The OAuth credentials once a connection used them (what the fallback policy asks about), or null.
    std::shared_ptr<TokenCredentials> token_credentials() const { return tokens_credentials_; }
    // Exchange Online and Outlook.com keep a copy of submitted mail in Sent themselves.
    bool server_saves_sent() const { return provider_ && provider_->server_saves_sent; }

private:
    std::shared_ptr<TokenCredentials> oauth_credentials();
    static std::optional<mail::ServerEndpoint> find(const std::vector<mail::ServerEndpoint>& servers,
                                                    mail::MailProtocol protocol);
    // The certificates the person trusted for this server.
    void add_pins(mail::ConnectionOptions& options) const;
    mail::ConnectionOptions with_password(const mail::ServerEndpoint& server, std::shared_ptr<const CancelToken> cancel);

    Account account_;
    std::string profile_id_;
    const Provider* provider_ = nullptr;
    auth::CredentialStore& store_;
    std::unique_ptr<auth::HttpClient> http_;
    std::unique_ptr<auth::TokenEndpoint> endpoint_;
    std::unique_ptr<auth::TokenManager> tokens_;
    std::shared_ptr<TokenCredentials> tokens_credentials_;
};

}  // namespace tern::accounts
