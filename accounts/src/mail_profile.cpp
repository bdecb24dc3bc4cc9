#include "tern/accounts/mail_profile.hpp"

#include "tern/accounts/account_repository.hpp"

namespace tern::accounts {

MailProfile MailProfile::open(const std::filesystem::path& dir,
                              const std::optional<std::filesystem::path>& providers_option) {
    return open(Profile::open(dir), providers_option);
}

MailProfile MailProfile::open(Profile profile, const std::optional<std::filesystem::path>& providers_option) {
    MailProfile open{std::move(profile), std::nullopt, std::nullopt};
    try {
        open.catalog = ProviderCatalog::load(providers_file(providers_option));
    } catch (const Error& e) {
        open.catalog_error = e;
    }
    return open;
}

std::optional<Account> MailProfile::find_account(const std::string& email) {
    return AccountRepository(profile.db()).find(email);
}

std::vector<Account> MailProfile::accounts() { return AccountRepository(profile.db()).list(); }

std::unique_ptr<AccountSession> MailProfile::session(const Account& account) {
    if (account.mode == AccountMode::OAuth && !catalog && catalog_error) throw *catalog_error;
    return std::make_unique<AccountSession>(account, profile.id(), catalog ? &*catalog : nullptr, *secrets);
}

std::unique_ptr<AccountAccess> MailProfile::access(const Account& account, FallbackPrompts prompts) {
    if (account.mode == AccountMode::OAuth && !catalog && catalog_error) throw *catalog_error;
    return std::make_unique<AccountAccess>(
        account, AccountServices{profile.db(), profile.id(), catalog ? &*catalog : nullptr, *secrets,
                                 std::move(prompts), fallback_settings(profile.db()), {}});
}

}  // namespace tern::accounts
