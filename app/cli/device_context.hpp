// Everything a device command talks through (the profile, its registry, the providers, the
// credential store and HTTPS), kept alive for the command's length.
#pragma once

#include "commands.hpp"

#include "tern/accounts/device_repository.hpp"
#include "tern/accounts/device_services.hpp"
#include "tern/accounts/provider_catalog.hpp"
#include "tern/auth/credential_store.hpp"
#include "tern/auth/http_client.hpp"

#include <memory>

namespace tern::cli {

struct DeviceContext {
    Profile profile;
    accounts::ProviderCatalog catalog;
    std::unique_ptr<auth::CredentialStore> secrets = auth::make_system_credential_store();
    std::unique_ptr<auth::HttpClient> http = auth::make_curl_http_client(auth::http_options_from_environment());
    accounts::DeviceRepository devices{profile.db()};

    explicit DeviceContext(const CliContext& ctx) : profile(ctx.open_profile()), catalog(load_catalog(ctx)) {}

    accounts::DeviceServices services() { return {devices, *secrets, profile.id(), catalog, *http, {}}; }

    static accounts::ProviderCatalog load_catalog(const CliContext& ctx) {
        std::optional<std::filesystem::path> option;
        if (!ctx.providers.empty()) option = ctx.providers;
        return accounts::ProviderCatalog::load(accounts::providers_file(option));
    }
};

}  // namespace tern::cli
