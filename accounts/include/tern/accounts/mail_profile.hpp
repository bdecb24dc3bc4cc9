// A profile opened for mail work: its database (this thread's connection), the providers and the
// credential store, and the accounts' ways to their servers. tern-cli opens one per command; the
// desktop app one per worker thread, so that each worker owns its connection (DESIGN §1).
#pragma once

#include "tern/accounts/account.hpp"
#include "tern/accounts/account_access.hpp"
#include "tern/accounts/account_session.hpp"
#include "tern/accounts/provider_catalog.hpp"
#include "tern/auth/credential_store.hpp"
#include "tern/core/profile.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tern::accounts {

struct MailProfile {
    // Opens (creates) the profile in `dir` and loads the providers (`providers_option`, else the
    // installed or built-in file). A providers file that cannot be read is kept as catalog_error:
    // password accounts work without it, OAuth accounts say why they cannot. Throws for the profile.
    static MailProfile open(const std::filesystem::path& dir,
                            const std::optional<std::filesystem::path>& providers_option);
    // The same for a profile already open.
    static MailProfile open(Profile profile, const std::optional<std::filesystem::path>& providers_option);

    Profile profile;
    std::optional<ProviderCatalog> catalog;
    std::optional<Error> catalog_error;
    std::unique_ptr<auth::CredentialStore> secrets = auth::make_system_credential_store();

    std::optional<Account> find_account(const std::string& email);
    std::vector<Account> accounts();
    std::unique_ptr<AccountSession> session(const Account& account);
    // The account's servers under the fallback policy; `prompts` reach the person.
    std::unique_ptr<AccountAccess> access(const Account& account, FallbackPrompts prompts);
};

}  // namespace tern::accounts
