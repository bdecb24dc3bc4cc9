// What every sign-in operation on a device's mailbox needs (DESIGN §5): the registry, the
// credential store, the providers and an HTTPS client, plus where the mailbox signs in — the
// provider its domain belongs to, with the SMTP.Send scope and the provider's OAuth SMTP server.
#pragma once

#include "tern/accounts/device.hpp"
#include "tern/accounts/device_repository.hpp"
#include "tern/accounts/provider_catalog.hpp"
#include "tern/auth/credential_store.hpp"
#include "tern/auth/http_client.hpp"
#include "tern/auth/oauth_config.hpp"
#include "tern/mail/sasl_credentials.hpp"
#include "tern/mail/server_endpoint.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace tern::accounts {

// Borrowed, not owned: everything referenced must outlive the objects that use these services.
struct DeviceServices {
    DeviceRepository& devices;
    auth::CredentialStore& secrets;
    std::string profile_id;
    const ProviderCatalog& catalog;
    auth::HttpClient& http;
    std::function<std::int64_t()> now;  // Unix seconds; empty: the system clock

    std::int64_t unix_now() const;
};

// Where a device's mailbox signs in and sends.
struct DeviceSignInTarget {
    const Provider* provider = nullptr;
    auth::OAuthConfig oauth;              // the provider's tenant and client id; SMTP.Send + offline_access
    mail::ServerEndpoint smtp;            // the provider's OAuth SMTP server
    mail::SaslMechanism mechanism = mail::SaslMechanism::XOAuth2;
};

// The provider that claims the mailbox's domain; a domain no provider claims is taken to be an
// Exchange Online tenant (provider "microsoft365"), since that is what devices send through and
// work domains are not listed in providers.json. Throws NotFound when neither exists, BadInput
// when the provider has no OAuth, no SMTP server or no client id.
DeviceSignInTarget device_sign_in_target(const ProviderCatalog& catalog, const std::string& mailbox);

}  // namespace tern::accounts
