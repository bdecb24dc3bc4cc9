// tern-cli login EMAIL [--device]: signs an account in with OAuth and keeps the refresh token in
// the system credential store. Progress (the code to enter, the browser step) goes to stderr.
#include "commands.hpp"
#include "interrupt.hpp"
#include "open_account.hpp"
#include "password_prompt.hpp"

#include "tern/accounts/account_repository.hpp"
#include "tern/accounts/provider_catalog.hpp"
#include "tern/auth/browser_sign_in.hpp"
#include "tern/auth/credential_store.hpp"
#include "tern/auth/device_code_flow.hpp"
#include "tern/auth/system_browser.hpp"
#include "tern/auth/token_manager.hpp"

#include <iostream>

namespace tern::cli {
namespace {

struct SignInTarget {
    const accounts::Provider* provider = nullptr;
    std::string tenant;
    std::string client_id;
};

SignInTarget target_for(Profile& profile, const accounts::ProviderCatalog& catalog, const std::string& email) {
    SignInTarget target;
    if (auto account = accounts::AccountRepository(profile.db()).find(email)) {
        target.provider = catalog.find(account->provider);
        target.tenant = account->tenant;
        target.client_id = account->client_id;
    } else {
        target.provider = catalog.for_email(email);
    }
    if (!target.provider)
        throw Error(ErrorCategory::NotFound, "Tern does not know which provider " + email +
                                                 " belongs to. Add the account first: tern-cli account add " + email +
                                                 " --provider ID");
    if (!target.provider->oauth)
        throw Error(ErrorCategory::BadInput, target.provider->display_name +
                                                 " signs in with a password, not OAuth: there is nothing to log in to.");
    return target;
}

// login --password: a password account's password, or the fallback password of a Microsoft account.
int login_with_password(const CliContext& ctx, const CommandArgs& args) {
    auto open = open_profile_for_mail(ctx);
    auto cancel = std::make_shared<CancelToken>();
    CancelOnInterrupt interrupt(*cancel);
    auto access = open.access(open.account(args.email));
    access->set_password(read_password(args.email), cancel);
    if (ctx.json) {
        print_json({{"email", args.email}, {"mode", std::string(accounts::to_string(access->account().mode))},
                    {"signed_in", true}, {"credential_store", open.secrets->backend_name()}});
    } else {
        std::cout << "The password of " << args.email << " works; it is kept in " << open.secrets->backend_name()
                  << ".\n";
    }
    return exit_ok;
}

}  // namespace

int login(const CliContext& ctx, const CommandArgs& args) {
    if (args.password_flow) return login_with_password(ctx, args);
    auto profile = ctx.open_profile();
    std::optional<std::filesystem::path> providers_option;
    if (!ctx.providers.empty()) providers_option = ctx.providers;
    const auto catalog = accounts::ProviderCatalog::load(accounts::providers_file(providers_option));
    const auto target = target_for(profile, catalog, args.email);
    const auto config = target.provider->oauth->config_for(
        {mail::MailProtocol::Imap, mail::MailProtocol::Pop3, mail::MailProtocol::Smtp}, target.tenant, target.client_id);
    if (config.client_id.empty())
        throw Error(ErrorCategory::BadInput, "No Microsoft client id is configured: build Tern with "
                                             "-DTERN_MS_CLIENT_ID=<id>, or give the account its organisation's client id.");

    auto http = auth::make_curl_http_client(auth::http_options_from_environment());
    auth::TokenEndpoint endpoint(*http, config, args.email);
    auto store = auth::make_system_credential_store();
    auth::TokenManager tokens(endpoint, *store, {profile.id(), args.email, "refresh-token"});

    CancelToken cancel;
    CancelOnInterrupt interrupt(cancel);
    auth::TokenGrant grant;
    if (args.device_flow) {
        const auto authorization = endpoint.request_device_code(&cancel);
        std::cerr << authorization.message << "\n" << std::flush;
        grant = auth::wait_for_device_grant(endpoint, authorization, cancel);
    } else {
        std::cerr << "Opening the Microsoft sign-in page in your browser...\n" << std::flush;
        auth::BrowserSignInOptions options;
        options.login_hint = args.email;
        grant = auth::sign_in_with_browser(endpoint, auth::system_browser(), options, &cancel);
    }
    if (!grant.refresh_token)
        throw Error(ErrorCategory::Protocol, "Microsoft signed " + args.email +
                                                 " in without a refresh token, so Tern could not stay signed in.");
    tokens.adopt(std::move(grant));

    // An account in password fallback returns to Microsoft sign-in once it works again.
    std::optional<accounts::PolicyDecision> returned;
    if (auto account = accounts::AccountRepository(profile.db()).find(args.email);
        account && account->mode == accounts::AccountMode::PasswordFallback) {
        auto open = open_profile_for_mail(ctx);
        returned = open.access(*account)->retry_oauth(std::make_shared<CancelToken>());
    }

    if (ctx.json) {
        print_json({{"email", args.email},
                    {"provider", target.provider->id},
                    {"signed_in", true},
                    {"credential_store", store->backend_name()},
                    {"back_on_oauth", returned && returned->action == accounts::PolicyAction::ReturnToOAuth}});
    } else {
        std::cout << "Signed in " << args.email << " (" << target.provider->display_name
                  << "). The sign-in is kept in " << store->backend_name() << ".\n";
    }
    return exit_ok;
}

}  // namespace tern::cli
