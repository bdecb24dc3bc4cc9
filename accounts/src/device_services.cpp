#include "tern/accounts/device_services.hpp"

#include "tern/core/error.hpp"

#include <algorithm>
#include <chrono>

namespace tern::accounts {
namespace {

constexpr const char* exchange_online_provider = "microsoft365";
constexpr const char* offline_access = "offline_access";

}  // namespace

std::int64_t DeviceServices::unix_now() const {
    if (now) return now();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

DeviceSignInTarget device_sign_in_target(const ProviderCatalog& catalog, const std::string& mailbox) {
    const Provider* provider = catalog.for_email(mailbox);
    if (!provider) provider = catalog.find(exchange_online_provider);
    if (!provider)
        throw Error(ErrorCategory::NotFound, "Tern does not know which Microsoft service " + mailbox +
                                                 " belongs to: no provider in providers.json claims its domain, and "
                                                 "there is no \"microsoft365\" provider to use instead.");
    if (!provider->oauth)
        throw Error(ErrorCategory::BadInput, provider->display_name + " (the provider of " + mailbox +
                                                 ") signs in with a password, not OAuth: a device cannot get a "
                                                 "token from it.");
    const auto smtp = provider->servers.find(mail::MailProtocol::Smtp);
    if (smtp == provider->servers.end())
        throw Error(ErrorCategory::BadInput,
                    provider->display_name + " has no SMTP server in providers.json, so a device cannot send through it.");
    DeviceSignInTarget target;
    target.provider = provider;
    target.oauth = provider->oauth->config_for({mail::MailProtocol::Smtp});
    // A device must stay signed in for months: without offline_access there is no refresh token.
    if (std::find(target.oauth.scopes.begin(), target.oauth.scopes.end(), offline_access) == target.oauth.scopes.end())
        target.oauth.scopes.emplace_back(offline_access);
    if (target.oauth.client_id.empty())
        throw Error(ErrorCategory::BadInput, "No Microsoft client id is configured: build Tern with "
                                             "-DTERN_MS_CLIENT_ID=<id>, or set the provider's client_id in providers.json.");
    target.smtp = smtp->second;
    target.mechanism = provider->oauth->sasl_mechanism == "OAUTHBEARER" ? mail::SaslMechanism::OAuthBearer
                                                                       : mail::SaslMechanism::XOAuth2;
    return target;
}

}  // namespace tern::accounts
