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
    // nullopt when the account has no server for `protocol`. Throws tern::Error (BadInput) when
    // an OAuth account's provider has no OAuth settings or no client id.
    std::optional<mail::ConnectionOptions> connection(mail::MailProtocol protocol,
                                                      std::shared_ptr<const CancelToken> cancel = nullptr);
    // Exchange Online and Outlook.com keep a copy of submitted mail in Sent themselves.
    bool server_saves_sent() const { return provider_ && provider_->server_saves_sent; }

private:
    std::shared_ptr<mail::SaslCredentials> credentials();

    Account account_;
    std::string profile_id_;
    const Provider* provider_ = nullptr;
    auth::CredentialStore& store_;
    std::unique_ptr<auth::HttpClient> http_;
    std::unique_ptr<auth::TokenEndpoint> endpoint_;
    std::unique_ptr<auth::TokenManager> tokens_;
    std::shared_ptr<mail::SaslCredentials> credentials_;
};

}  // namespace tern::accounts
