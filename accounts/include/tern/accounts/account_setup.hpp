// Adding an account, for tern-cli account add and the desktop setup wizard alike: the servers from
// the provider's settings, from what the person typed, or from autodetection; then a sign-in before
// anything is kept — the password tested on every server, or OAuth (browser or device code) with the
// refresh token kept in the credential store. A failure leaves nothing behind.
#pragma once

#include "tern/accounts/autodetect.hpp"
#include "tern/accounts/mail_profile.hpp"
#include "tern/auth/token_endpoint.hpp"
#include "tern/core/cancellation.hpp"
#include "tern/core/secret.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace tern::accounts {

enum class SignInMethod { Default, Password, Browser, DeviceCode };

struct AccountRequest {
    std::string email;
    std::string provider_id;  // empty: the provider of the email's domain, if any
    SignInMethod method = SignInMethod::Default;  // Default: OAuth in the browser where the provider has it
    std::optional<mail::ServerEndpoint> imap, pop3, smtp;  // typed by the person: win over everything
    std::string username;  // empty: the email address
    // The typed servers are all of them (the wizard's by-hand page): none of the provider's besides.
    bool only_typed_servers = false;
    // The next step when autodetection finds nothing, in the words of the caller's interface.
    std::string by_hand_advice = "Enter the servers by hand (IMAP or POP3, and SMTP: host, port and security).";
};

struct AccountPlan {
    Account account;                        // servers filled, mode set; not stored yet
    const Provider* provider = nullptr;     // points into the profile's catalog
    std::optional<Detection> detection;     // when the servers were looked for
    SignInMethod method = SignInMethod::Password;
};

// Works out the account: BadInput when it exists already or the method does not fit the provider,
// NotFound for an unknown provider id, what autodetection says when nothing was found (Cancelled
// when `cancel` was). `progress` hears autodetection's steps.
AccountPlan plan_account(MailProfile& profile, const AccountRequest& request, CancelToken& cancel,
                         const std::function<void(const std::string&)>& progress = {});

// A password account: signs in to every server with `password` (progress says which), then keeps
// the account and the password. Returns the stored account.
Account add_password_account(MailProfile& profile, AccountPlan plan, const Secret& password,
                             std::shared_ptr<CancelToken> cancel,
                             const std::function<void(const mail::ServerEndpoint&)>& progress = {});

// An OAuth account: stored, then `sign_in` gets a grant from the endpoint made for it (browser or
// device code, as the caller runs it); the refresh token is kept. Removed again if the sign-in fails.
using OAuthSignIn = std::function<auth::TokenGrant(auth::TokenEndpoint&)>;
Account add_oauth_account(MailProfile& profile, AccountPlan plan, const OAuthSignIn& sign_in);

// The OAuth settings an account signs in with (its provider's, its tenant and client id).
auth::OAuthConfig oauth_config_for(const Provider& provider, const Account& account);

}  // namespace tern::accounts
