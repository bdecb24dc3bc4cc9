#include "tern/accounts/device_mailbox.hpp"

#include "tern/accounts/account_credentials.hpp"
#include "tern/accounts/device_sign_in.hpp"

#include "tern/core/text.hpp"

#include <spdlog/spdlog.h>

namespace tern::accounts {
namespace {

// TokenCredentials that tell the device's mailbox what happened, so the registry shows it.
class DeviceCredentials final : public mail::SaslCredentials {
public:
    DeviceCredentials(std::shared_ptr<DeviceMailbox> owner, auth::TokenManager& tokens, mail::SaslMechanism mechanism)
        : owner_(std::move(owner)), inner_(tokens, owner_->mailbox(), mechanism) {}

    mail::SaslLogin login(const CancelToken& cancel) override {
        try {
            auto login = inner_.login(cancel);
            owner_->token_seen(login.secret);
            return login;
        } catch (const Error& e) {
            owner_->platform_failed(e);
            inner_.clear_failures();
            throw;
        }
    }

    bool refused(const mail::SaslLogin& refused, const Error& why) override {
        // A new token, if refused() got one, is seen at the next login().
        const bool again = inner_.refused(refused, why);
        if (!again) {
            if (inner_.fresh_token_refused())
                owner_->fresh_token_refused(why);
            else if (const auto failure = inner_.platform_failure())
                owner_->platform_failed(*failure);
            inner_.clear_failures();
        }
        return again;
    }

private:
    std::shared_ptr<DeviceMailbox> owner_;
    TokenCredentials inner_;
};

}  // namespace

std::shared_ptr<DeviceMailbox> DeviceMailbox::open(DeviceServices services, const Device& device) {
    return std::shared_ptr<DeviceMailbox>(new DeviceMailbox(std::move(services), device));
}

DeviceMailbox::DeviceMailbox(DeviceServices services, const Device& device)
    : services_(std::move(services)), id_(device.id), name_(device.name), mailbox_(device.mailbox) {
    if (device.kind != DeviceKind::Relayed)
        throw Error(ErrorCategory::BadInput,
                    device.name + " signs in to Exchange Online itself; Tern relays only for relayed devices.");
    target_ = device_sign_in_target(services_.catalog, device.mailbox);
    endpoint_ = std::make_unique<auth::TokenEndpoint>(services_.http, target_.oauth, device.mailbox);
    tokens_ = std::make_unique<auth::TokenManager>(*endpoint_, services_.secrets,
                                                   device_refresh_token_key(services_.profile_id, device.name));
}

DeviceMailbox::~DeviceMailbox() = default;

std::shared_ptr<mail::SaslCredentials> DeviceMailbox::credentials() {
    return std::make_shared<DeviceCredentials>(shared_from_this(), *tokens_, target_.mechanism);
}

mail::ConnectionOptions DeviceMailbox::smtp_connection(std::shared_ptr<const CancelToken> cancel) {
    mail::ConnectionOptions options;
    options.server = target_.smtp;
    options.credentials = credentials();
    options.cancel = std::move(cancel);
    return options;
}

void DeviceMailbox::refresh_now(const CancelToken* cancel) {
    // Forgetting the access token makes the next request a refresh, still through the token
    // manager's single flight, so a relay connection asking at the same moment shares it.
    tokens_->forget_access_token();
    Secret token;
    try {
        token = tokens_->access_token(cancel);
    } catch (const Error& e) {
        platform_failed(e);
        throw;
    }
    token_seen(token);
}

std::optional<Device> DeviceMailbox::current() const { return services_.devices.find(name_); }

void DeviceMailbox::platform_failed(const Error& failure) {
    std::lock_guard lock(record_mutex_);
    const auto device = current();
    if (!device) return;
    if (device->token_state != TokenState::Acquired && device->token_state != TokenState::Invalid) {
        // Deleted or being signed in again meanwhile: that state stands.
        spdlog::info("device {}: refresh failed while {}: {}", name_, to_string(device->token_state), failure.log_line());
        return;
    }
    services_.devices.record_error(id_, device_error_text(failure), services_.unix_now());
    if (makes_sign_in_unusable(failure)) {
        services_.devices.set_token_state(id_, TokenState::Invalid, failure.message());
        spdlog::warn("device {}: sign-in invalid: {}", name_, failure.log_line());
    } else {
        // The platform or the network failed, not the sign-in: the token may still be fine.
        spdlog::warn("device {}: refresh failed, token kept: {}", name_, failure.log_line());
    }
}

void DeviceMailbox::fresh_token_refused(const Error& refusal) {
    mark_invalid(refusal,
                 "The mail server refused a sign-in token Microsoft had just issued for " + mailbox_ + ": " + refusal.message());
}

bool DeviceMailbox::upstream_failed(const Error& failure) {
    // Only the answer to AUTH is about the sign-in: a policy refusal at MAIL FROM (5.7.60, send as)
    // is about the message.
    const auto command = ascii_lower(failure.context().command);
    if (failure.category() != ErrorCategory::PolicyBlocked || command.rfind("auth", 0) != 0) return false;
    mark_invalid(failure, failure.message());
    return true;
}

void DeviceMailbox::mark_invalid(const Error& cause, const std::string& reason) {
    std::lock_guard lock(record_mutex_);
    const auto device = current();
    if (!device || device->token_state != TokenState::Acquired) return;
    services_.devices.record_error(id_, device_error_text(cause), services_.unix_now());
    services_.devices.set_token_state(id_, TokenState::Invalid, reason);
    spdlog::warn("device {}: the mail server refused its sign-in: {}", name_, cause.log_line());
}

void DeviceMailbox::token_seen(const Secret& token) {
    std::lock_guard lock(record_mutex_);
    // This mailbox's token manager is the only one for the device in this process and keeps access
    // tokens only in memory, so a token not seen before came from a refresh just now.
    if (token == last_token_) return;
    last_token_ = token;
    const auto device = current();
    if (!device) return;
    services_.devices.record_refresh(id_, services_.unix_now());
    if (device->token_state == TokenState::Acquired && device->last_error) services_.devices.clear_error(id_);
}

std::shared_ptr<DeviceMailbox> DeviceMailboxes::get(const Device& device) {
    std::lock_guard lock(mutex_);
    auto& slot = open_[device.name];
    if (!slot) slot = DeviceMailbox::open(services_, device);
    return slot;
}

void DeviceMailboxes::forget(const std::string& device_name) {
    std::lock_guard lock(mutex_);
    open_.erase(device_name);
}

}  // namespace tern::accounts
