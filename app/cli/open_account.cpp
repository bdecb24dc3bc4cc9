#include "open_account.hpp"

#include "password_prompt.hpp"
#include "tern/accounts/account_repository.hpp"

namespace tern::cli {

OpenProfile open_profile_for_mail(const CliContext& ctx) {
    std::optional<std::filesystem::path> providers_option;
    if (!ctx.providers.empty()) providers_option = ctx.providers;
    return OpenProfile{accounts::MailProfile::open(ctx.open_profile(), providers_option)};
}

accounts::Account OpenProfile::account(const std::string& email) {
    auto found = find_account(email);
    if (!found)
        throw Error(ErrorCategory::NotFound,
                    "There is no account " + email + " in this profile. Add it with: tern-cli account add " + email);
    return *found;
}

std::vector<accounts::Account> OpenProfile::accounts(const std::string& email) {
    if (!email.empty()) return {account(email)};
    return MailProfile::accounts();
}

std::unique_ptr<accounts::AccountAccess> OpenProfile::access(const accounts::Account& account) {
    return MailProfile::access(account, fallback_prompts());
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
