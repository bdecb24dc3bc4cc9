#include "open_account.hpp"

#include "password_prompt.hpp"
#include "tern/accounts/account_repository.hpp"

namespace tern::cli {

OpenProfile open_profile_for_mail(const CliContext& ctx) {
    OpenProfile open{ctx.open_profile(), std::nullopt, std::nullopt};
    std::optional<std::filesystem::path> providers_option;
    if (!ctx.providers.empty()) providers_option = ctx.providers;
    try {
        open.catalog = accounts::ProviderCatalog::load(accounts::providers_file(providers_option));
    } catch (const Error& e) {
        open.catalog_error = e;  // password accounts work without it; OAuth ones say why they cannot
    }
    return open;
}

accounts::Account OpenProfile::account(const std::string& email) {
    auto found = accounts::AccountRepository(profile.db()).find(email);
    if (!found)
        throw Error(ErrorCategory::NotFound,
                    "There is no account " + email + " in this profile. Add it with: tern-cli account add " + email);
    return *found;
}

std::vector<accounts::Account> OpenProfile::accounts(const std::string& email) {
    if (!email.empty()) return {account(email)};
    return accounts::AccountRepository(profile.db()).list();
}

std::unique_ptr<accounts::AccountSession> OpenProfile::session(const accounts::Account& account) {
    if (account.mode == accounts::AccountMode::OAuth && !catalog && catalog_error) throw *catalog_error;
    return std::make_unique<accounts::AccountSession>(account, profile.id(), catalog ? &*catalog : nullptr, *secrets);
}

std::unique_ptr<accounts::AccountAccess> OpenProfile::access(const accounts::Account& account) {
    if (account.mode == accounts::AccountMode::OAuth && !catalog && catalog_error) throw *catalog_error;
    return std::make_unique<accounts::AccountAccess>(
        account, accounts::AccountServices{profile.db(), profile.id(), catalog ? &*catalog : nullptr, *secrets,
                                           fallback_prompts(), accounts::fallback_settings(profile.db()), {}});
}

mail::FolderState OpenProfile::folder(const accounts::Account& account, const std::string& path) {
    const auto found = mail::MessageStore(profile.db()).folder(account.id, path.empty() ? "INBOX" : path);
    if (!found)
        throw Error(ErrorCategory::NotFound, "There is no folder \"" + (path.empty() ? "INBOX" : path) + "\" in " +
                                                 account.email + " yet. Fetch the account's mail with: tern-cli sync " +
                                                 account.email);
    return *found;
}

}  // namespace tern::cli
