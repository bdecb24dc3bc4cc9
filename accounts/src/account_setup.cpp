#include "tern/accounts/account_setup.hpp"

#include "tern/accounts/account_credentials.hpp"
#include "tern/accounts/account_repository.hpp"
#include "tern/auth/http_client.hpp"
#include "tern/auth/token_manager.hpp"
#include "tern/mail/login_check.hpp"

#include <algorithm>

namespace tern::accounts {
namespace {

void use_server(Account& account, mail::ServerEndpoint server) {
    for (auto& s : account.servers)
        if (s.protocol == server.protocol) {
            s = std::move(server);
            return;
        }
    account.servers.push_back(std::move(server));
}

// The servers autodetection chose: IMAP (else POP3) and SMTP; an error that says what was tried
// when one side is missing.
void use_detected_servers(Account& account, const Detection& detection, const std::string& by_hand) {
    auto incoming = detection.chosen(mail::MailProtocol::Imap);
    if (!incoming) incoming = detection.chosen(mail::MailProtocol::Pop3);
    const auto outgoing = detection.chosen(mail::MailProtocol::Smtp);
    if (!incoming) throw no_server_error(detection, {mail::MailProtocol::Imap, mail::MailProtocol::Pop3}, by_hand);
    if (!outgoing) throw no_server_error(detection, {mail::MailProtocol::Smtp}, by_hand);
    use_server(account, *incoming);
    use_server(account, *outgoing);
}

}  // namespace

AccountPlan plan_account(MailProfile& profile, const AccountRequest& request, CancelToken& cancel,
                         const std::function<void(const std::string&)>& progress) {
    AccountPlan plan;
    auto& account = plan.account;
    account.email = request.email;
    if (request.email.find('@') == std::string::npos || request.email.front() == '@' || request.email.back() == '@')
        throw Error(ErrorCategory::BadInput, "\"" + request.email + "\" is not an email address (name@example.org).");
    const auto* catalog = profile.catalog ? &*profile.catalog : nullptr;
    const Provider* provider = nullptr;
    if (catalog) provider = request.provider_id.empty() ? catalog->for_email(request.email) : catalog->find(request.provider_id);
    if (!request.provider_id.empty() && !provider)
        throw Error(ErrorCategory::NotFound, "There is no provider \"" + request.provider_id + "\" in providers.json" +
                                                 (profile.catalog_error ? " (" + profile.catalog_error->message() + ")" : "") + ".");
    plan.provider = provider;
    account.provider = provider ? provider->id : "custom";

    plan.method = request.method;
    if (plan.method == SignInMethod::Default)
        plan.method = provider && provider->oauth ? SignInMethod::Browser : SignInMethod::Password;
    if (plan.method != SignInMethod::Password && !(provider && provider->oauth))
        throw Error(ErrorCategory::BadInput, "Only providers with OAuth settings (Microsoft) sign in with Microsoft's sign-in page. "
                                             "Sign " + request.email + " in with its password.");
    account.mode = plan.method == SignInMethod::Password ? AccountMode::Password : AccountMode::OAuth;
    // Checked first: autodetection may take seconds.
    if (AccountRepository(profile.profile.db()).find(request.email))
        throw Error(ErrorCategory::BadInput, request.email + " is already in this profile.");
    if (provider) {
        // OAuth accounts use the provider's OAuth servers; password accounts its password servers.
        const auto& servers = account.mode == AccountMode::OAuth || provider->fallback_servers.empty()
                                  ? provider->servers
                                  : provider->fallback_servers;
        for (const auto& [protocol, server] : servers) account.servers.push_back(server);
        for (const auto& [protocol, server] : provider->fallback_servers) account.fallback_servers.push_back(server);
    }
    // No provider and no servers given: look for them (DNS SRV, then the usual names).
    if ((!provider || provider->servers.empty()) && !request.imap && !request.pop3 && !request.smtp) {
        auto options = autodetect_options_from_environment();
        options.progress = progress;
        plan.detection = detect_servers(request.email, catalog, options, cancel);
        use_detected_servers(account, *plan.detection, request.by_hand_advice);
    }
    if (request.only_typed_servers) account.servers.clear();
    if (request.imap) use_server(account, *request.imap);
    if (request.pop3) use_server(account, *request.pop3);
    if (request.smtp) use_server(account, *request.smtp);
    for (auto& s : account.servers) s.username = request.username;
    const bool receives = std::any_of(account.servers.begin(), account.servers.end(),
                                      [](const auto& s) { return s.protocol != mail::MailProtocol::Smtp; });
    if (!receives)
        throw Error(ErrorCategory::BadInput, "Tern does not know the servers of " + request.email +
                                                 ". Give them: IMAP (or POP3) and SMTP, with host, port and security.");
    return plan;
}

Account add_password_account(MailProfile& profile, AccountPlan plan, const Secret& password,
                             std::shared_ptr<CancelToken> cancel,
                             const std::function<void(const mail::ServerEndpoint&)>& progress) {
    auto& account = plan.account;
    // Tested before it is kept: a typing mistake gives a clear error and leaves nothing behind.
    for (const auto& server : account.servers) {
        mail::ConnectionOptions options;
        options.server = server;
        options.credentials = std::make_shared<mail::FixedCredentials>(mail::SaslLogin{
            mail::SaslMechanism::Password, server.username.empty() ? account.email : server.username, password});
        options.cancel = cancel;
        if (progress) progress(server);
        mail::check_login(options);
    }
    AccountRepository repository(profile.profile.db());
    account.id = repository.add(account);
    try {
        profile.secrets->store(password_key(profile.profile.id(), account.email), password);
    } catch (...) {
        repository.remove(account.email);
        throw;
    }
    return account;
}

auth::OAuthConfig oauth_config_for(const Provider& provider, const Account& account) {
    if (!provider.oauth)
        throw Error(ErrorCategory::BadInput, provider.display_name + " signs in with a password, not OAuth.");
    auto config = provider.oauth->config_for({mail::MailProtocol::Imap, mail::MailProtocol::Pop3, mail::MailProtocol::Smtp},
                                             account.tenant, account.client_id);
    if (config.client_id.empty())
        throw Error(ErrorCategory::BadInput, "No Microsoft client id is configured: build Tern with "
                                             "-DTERN_MS_CLIENT_ID=<id>, or give the account its organisation's client id.");
    return config;
}

Account add_oauth_account(MailProfile& profile, AccountPlan plan, const OAuthSignIn& sign_in) {
    if (!plan.provider) throw Error(ErrorCategory::BadInput, plan.account.email + " has no provider with OAuth settings.");
    auto& account = plan.account;
    const auto config = oauth_config_for(*plan.provider, account);
    AccountRepository repository(profile.profile.db());
    account.id = repository.add(account);
    try {
        auto http = auth::make_curl_http_client(auth::http_options_from_environment());
        auth::TokenEndpoint endpoint(*http, config, account.email);
        auth::TokenManager tokens(endpoint, *profile.secrets, refresh_token_key(profile.profile.id(), account.email));
        auto grant = sign_in(endpoint);
        if (!grant.refresh_token)
            throw Error(ErrorCategory::Protocol, "Microsoft signed " + account.email +
                                                     " in without a refresh token, so Tern could not stay signed in.");
        tokens.adopt(std::move(grant));
    } catch (...) {
        repository.remove(account.email);
        throw;
    }
    return account;
}

}  // namespace tern::accounts
