#include "tern/accounts/account_session.hpp"

#include <set>

namespace tern::accounts {

AccountSession::AccountSession(Account account, std::string profile_id, const ProviderCatalog* catalog,
                               auth::CredentialStore& store)
    : account_(std::move(account)), profile_id_(std::move(profile_id)), store_(store) {
    if (catalog) provider_ = catalog->find(account_.provider);
}

AccountSession::~AccountSession() = default;

std::shared_ptr<TokenCredentials> AccountSession::oauth_credentials() {
    if (tokens_credentials_) return tokens_credentials_;
    if (!provider_ || !provider_->oauth)
        throw Error(ErrorCategory::BadInput, account_.email + " is set to sign in with OAuth, but its provider \"" +
                                                 account_.provider + "\" has no OAuth settings in providers.json.");
    std::set<mail::MailProtocol> protocols;
    for (const auto& server : account_.servers) protocols.insert(server.protocol);
    const auto config = provider_->oauth->config_for(protocols, account_.tenant, account_.client_id);
    if (config.client_id.empty())
        throw Error(ErrorCategory::BadInput, "No Microsoft client id is configured: build Tern with "
                                             "-DTERN_MS_CLIENT_ID=<id>, or give the account its organisation's client id.");
    http_ = auth::make_curl_http_client(auth::http_options_from_environment());
    endpoint_ = std::make_unique<auth::TokenEndpoint>(*http_, config, account_.email);
    tokens_ = std::make_unique<auth::TokenManager>(*endpoint_, store_, refresh_token_key(profile_id_, account_.email));
    const auto mechanism = provider_->oauth->sasl_mechanism == "OAUTHBEARER" ? mail::SaslMechanism::OAuthBearer
                                                                            : mail::SaslMechanism::XOAuth2;
    tokens_credentials_ = std::make_shared<TokenCredentials>(*tokens_, account_.email, mechanism);
    return tokens_credentials_;
}

std::optional<mail::ServerEndpoint> AccountSession::find(const std::vector<mail::ServerEndpoint>& servers,
                                                         mail::MailProtocol protocol) {
    for (const auto& server : servers)
        if (server.protocol == protocol) return server;
    return std::nullopt;
}

void AccountSession::add_pins(mail::ConnectionOptions& options) const {
    for (const auto& pin : account_.pins)
        if (pin.host == options.server.host && pin.port == options.server.port)
            options.trust.pinned_sha256.push_back(pin.sha256);
}

mail::ConnectionOptions AccountSession::with_password(const mail::ServerEndpoint& server,
                                                      std::shared_ptr<const CancelToken> cancel) {
    mail::ConnectionOptions options;
    options.server = server;
    // The server's own user name when the account has one (--user), else the email address.
    options.credentials = std::make_shared<PasswordCredentials>(
        store_, password_key(profile_id_, account_.email), server.username.empty() ? account_.email : server.username);
    options.cancel = std::move(cancel);
    add_pins(options);
    return options;
}

std::optional<mail::ConnectionOptions> AccountSession::connection(mail::MailProtocol protocol,
                                                                  std::shared_ptr<const CancelToken> cancel) {
    switch (account_.mode) {
        case AccountMode::OAuth: return oauth_connection(protocol, std::move(cancel));
        case AccountMode::PasswordFallback: return fallback_connection(protocol, std::move(cancel));
        case AccountMode::Password: break;
    }
    const auto server = find(account_.servers, protocol);
    if (!server) return std::nullopt;
    return with_password(*server, std::move(cancel));
}

std::optional<mail::ConnectionOptions> AccountSession::oauth_connection(mail::MailProtocol protocol,
                                                                        std::shared_ptr<const CancelToken> cancel) {
    const auto server = find(account_.servers, protocol);
    if (!server) return std::nullopt;
    mail::ConnectionOptions options;
    options.server = *server;
    options.credentials = oauth_credentials();
    options.cancel = std::move(cancel);
    add_pins(options);
    return options;
}

std::optional<mail::ConnectionOptions> AccountSession::fallback_connection(mail::MailProtocol protocol,
                                                                           std::shared_ptr<const CancelToken> cancel) {
    const auto server = find(account_.fallback_servers, protocol);
    if (!server) return std::nullopt;
    return with_password(*server, std::move(cancel));
}

}  // namespace tern::accounts
