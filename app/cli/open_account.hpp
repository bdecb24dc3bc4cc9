// What the mail commands share: the profile, the account named on the command line, and a session
// that can connect to its servers with the right credentials.
#pragma once

#include "cli_context.hpp"
#include "tern/accounts/account.hpp"
#include "tern/accounts/account_access.hpp"
#include "tern/accounts/account_session.hpp"
#include "tern/accounts/mail_profile.hpp"
#include "tern/accounts/provider_catalog.hpp"
#include "tern/auth/credential_store.hpp"
#include "tern/mail/message_store.hpp"

#include <memory>
#include <optional>
#include <string>

namespace tern::cli {

// The profile with the command line's words for what is missing.
struct OpenProfile : accounts::MailProfile {
    // Throws NotFound naming `tern-cli account add` when there is no such account.
    accounts::Account account(const std::string& email);
    // Every account, or only `email` when it is not empty.
    std::vector<accounts::Account> accounts(const std::string& email);
    // The account's servers under the fallback policy; its questions and news go to the terminal.
    std::unique_ptr<accounts::AccountAccess> access(const accounts::Account& account);
    // The folder of an account's store; NotFound names `tern-cli sync` when it is unknown.
    mail::FolderState folder(const accounts::Account& account, const std::string& path);
};

OpenProfile open_profile_for_mail(const CliContext& ctx);

}  // namespace tern::cli
