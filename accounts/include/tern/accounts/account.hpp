// A mail account as Tern keeps it in the profile: who, which provider, how it signs in, which
// servers. Its secrets are not here: they are in the CredentialStore under the account's email.
#pragma once

#include "tern/mail/imap_sync.hpp"
#include "tern/mail/server_endpoint.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::accounts {

// oauth: signs in with OAuth 2.0 (XOAUTH2). password-fallback: OAuth failed and the account uses
// the provider's password servers until OAuth works again. password: a plain password account.
enum class AccountMode { OAuth, PasswordFallback, Password };

std::string_view to_string(AccountMode mode);
std::optional<AccountMode> mode_from_string(std::string_view text);

// What the person chose for an account beyond its servers.
struct AccountSettings {
    mail::BodyPolicy bodies = mail::BodyPolicy::All;
    int recent_days = 30;               // with BodyPolicy::RecentDays
    bool pop3_leave_on_server = true;   // POP3: keep mail on the server after download
    int pop3_delete_after_days = 0;     // POP3, leaving on the server: delete after this many days (0: never)
};

// A certificate trusted by the person for one server (host and port), by SHA-256 fingerprint
// (normalised: "ab:cd:..."). Only that certificate, only there.
struct CertificatePin {
    std::string host;
    int port = 0;
    std::string sha256;
};

std::string_view to_string(mail::BodyPolicy policy);          // "all", "recent", "on-demand"
std::optional<mail::BodyPolicy> body_policy_from_string(std::string_view text);

struct Account {
    std::int64_t id = 0;  // assigned by the repository
    std::string email;
    std::string display_name;
    std::string provider;  // an id from providers.json, or "custom"
    AccountMode mode = AccountMode::Password;
    std::string client_id;  // empty: the build's or the provider's default
    std::string tenant;
    std::optional<std::string> fallback_reason;
    std::optional<std::int64_t> fallback_since;      // Unix seconds
    std::optional<std::int64_t> last_oauth_attempt;  // Unix seconds
    int oauth_transient_failures = 0;                // identity platform unreachable / failing, in a row
    std::int64_t created_at = 0;                     // Unix seconds; set by the repository when 0
    std::vector<mail::ServerEndpoint> servers;           // what the account uses in its mode
    std::vector<mail::ServerEndpoint> fallback_servers;  // password servers when OAuth fails
    AccountSettings settings;
    std::vector<CertificatePin> pins;
};

}  // namespace tern::accounts
