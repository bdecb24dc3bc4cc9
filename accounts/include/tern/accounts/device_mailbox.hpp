// What the relay needs to send as a relayed device (DESIGN §5): the upstream SMTP server (the
// provider's OAuth server) and SASL credentials whose access token comes from a TokenManager over
// the device's stored refresh token (in memory only, refreshed ahead of expiry, single flight).
// Sign-in failures change the device's token state as the manuals describe:
//   - a refresh the platform refuses for good (revoked AADSTS50173, expired from inactivity
//     AADSTS700082/700084, consent, policy, ...)      -> Invalid, with the reason in plain words
//   - a token the mail server refuses even when fresh -> Invalid, with the server's reason
//   - a network, TLS or outage failure                -> stays Acquired, last_error recorded
//   - a refresh that works                            -> last_refresh recorded, last_error cleared
// A device whose token was deleted meanwhile stays Not acquired.
//
// Use one DeviceMailbox per device in a process (DeviceMailboxes hands them out): refresh tokens
// rotate, so two token managers over the same stored token would race and one would kill the other.
#pragma once

#include "tern/accounts/device_services.hpp"
#include "tern/auth/token_endpoint.hpp"
#include "tern/auth/token_manager.hpp"
#include "tern/mail/connection_options.hpp"

#include <map>
#include <memory>
#include <mutex>

namespace tern::accounts {

class DeviceMailbox : public std::enable_shared_from_this<DeviceMailbox> {
public:
    // Throws BadInput for a device that signs in itself, and what device_sign_in_target throws.
    static std::shared_ptr<DeviceMailbox> open(DeviceServices services, const Device& device);
    ~DeviceMailbox();

    const std::string& device_name() const { return name_; }
    const std::string& mailbox() const { return mailbox_; }

    // Where to forward the device's mail: the provider's OAuth SMTP server (e.g. smtp.office365.com:587
    // STARTTLS).
    const mail::ServerEndpoint& smtp_server() const { return target_.smtp; }

    // XOAUTH2 (or the provider's mechanism) as the device's mailbox, for one connection (each call
    // gives a new object; they share this mailbox's token manager). Its login() throws the
    // classified error after recording it.
    std::shared_ptr<mail::SaslCredentials> credentials();

    // smtp_server() and credentials() together, ready for mail::SmtpSubmission / check_login.
    mail::ConnectionOptions smtp_connection(std::shared_ptr<const CancelToken> cancel = nullptr);

    // For the relay, after a forwarding attempt failed with `failure`: when the SMTP server refused
    // the device's sign-in for a reason no new token fixes (AUTH answered 5.7.139 "SMTP AUTH
    // disabled for the tenant/mailbox", 5.7.30, ...: PolicyBlocked), the device goes Invalid with
    // that reason and last_error, and true is returned. Anything else: false, nothing recorded
    // (the caller records it). Refusals a new token might fix are judged by credentials() itself.
    bool upstream_failed(const Error& failure);

    // Keep-alive: refreshes the token now whatever its age (rotating and storing the newest refresh
    // token) and records the outcome as above. Throws the classified error after recording it.
    void refresh_now(const CancelToken* cancel = nullptr);

    // For the credentials and refresh_now: judge a failure of the identity platform, or a refusal by the mail
    // server of a token that was fresh. Records the state; never throws.
    void platform_failed(const Error& failure);
    void fresh_token_refused(const Error& refusal);
    // An access token handed out: a new one means a refresh (last_refresh recorded).
    void token_seen(const Secret& token);

private:
    DeviceMailbox(DeviceServices services, const Device& device);
    std::optional<Device> current() const;
    // Invalid with `reason` (the cause as last_error), if the device is Acquired.
    void mark_invalid(const Error& cause, const std::string& reason);

    DeviceServices services_;
    std::int64_t id_;
    std::string name_, mailbox_;
    DeviceSignInTarget target_;
    std::unique_ptr<auth::TokenEndpoint> endpoint_;
    std::unique_ptr<auth::TokenManager> tokens_;
    mutable std::mutex record_mutex_;  // one state change at a time, whichever worker reports it
    Secret last_token_;                // the access token last handed out
};

// One DeviceMailbox per relayed device, for the relay and the keep-alive to share (thread-safe).
class DeviceMailboxes {
public:
    explicit DeviceMailboxes(DeviceServices services) : services_(std::move(services)) {}

    // The device's mailbox, opened on first use. Throws like DeviceMailbox::open.
    std::shared_ptr<DeviceMailbox> get(const Device& device);
    // Forget a device's mailbox (removed, or its token deleted and signed in again elsewhere).
    void forget(const std::string& device_name);

    const DeviceServices& services() const { return services_; }

private:
    DeviceServices services_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<DeviceMailbox>> open_;
};

}  // namespace tern::accounts
