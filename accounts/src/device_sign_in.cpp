#include "tern/accounts/device_sign_in.hpp"

#include <spdlog/spdlog.h>

namespace tern::accounts {

bool makes_sign_in_unusable(const Error& failure) {
    switch (failure.category()) {
        case ErrorCategory::TokenExpired:
        case ErrorCategory::TokenRevoked:
        case ErrorCategory::ConsentRequired:
        case ErrorCategory::AppRejected:
        case ErrorCategory::PolicyBlocked:
        case ErrorCategory::AuthRejected:
        case ErrorCategory::BadInput:  // AADSTS90072: the account is not in the tenant
            return true;
        default:
            return false;
    }
}

std::string device_error_text(const Error& failure) {
    const auto& status = failure.context().status;
    if (status.empty() || failure.message().find(status) != std::string::npos) return failure.message();
    return failure.message() + " (" + status + ")";
}

DeviceSignIn::DeviceSignIn(DeviceServices services, Device device)
    : services_(std::move(services)), device_(std::move(device)) {
    if (device_.kind != DeviceKind::Relayed)
        throw Error(ErrorCategory::BadInput, device_.name + " signs in to Exchange Online itself: press \"Get token\" "
                                                             "on the device. To check its mailbox: tern-cli device test " +
                                                 device_.name);
    target_ = device_sign_in_target(services_.catalog, device_.mailbox);
    endpoint_ = std::make_unique<auth::TokenEndpoint>(services_.http, target_.oauth, device_.mailbox);
}

DeviceSignIn::~DeviceSignIn() = default;

void DeviceSignIn::fail(const Error& failure, std::optional<TokenState> otherwise) {
    const auto state = makes_sign_in_unusable(failure) ? std::optional(TokenState::Invalid) : otherwise;
    if (state) services_.devices.set_token_state(device_.id, *state, failure.message());
    services_.devices.record_error(device_.id, device_error_text(failure), services_.unix_now());
    spdlog::info("device {}: sign-in failed ({}): {}", device_.name, state ? to_string(*state) : "state kept",
                 failure.log_line());
    throw failure;
}

const auth::DeviceAuthorization& DeviceSignIn::get_token(const CancelToken* cancel) {
    try {
        authorization_ = endpoint_->request_device_code(cancel);
    } catch (...) {
        // No code, no new sign-in: a token the device has keeps working unless the account is unusable.
        fail(to_error(std::current_exception()), std::nullopt);
    }
    // The manuals' "Get token" replaces the token the device had: a half-replaced sign-in (old
    // token kept, new one pending) would be neither of the four states.
    services_.secrets.remove(device_refresh_token_key(services_.profile_id, device_.name));
    services_.devices.set_token_state(device_.id, TokenState::WaitingForAuthorization, std::nullopt);
    return *authorization_;
}

Device DeviceSignIn::wait(const CancelToken& cancel,
                          const std::function<void(const auth::DeviceFlowProgress&)>& on_progress) {
    if (!authorization_) throw Error(ErrorCategory::Internal, {}, "DeviceSignIn::wait before get_token");
    try {
        auto grant = auth::wait_for_device_grant(*endpoint_, *authorization_, cancel, on_progress);
        if (!grant.refresh_token)
            throw Error(ErrorCategory::Protocol,
                        "Microsoft signed " + device_.mailbox +
                            " in without a refresh token (offline_access), so the device could not stay signed in.");
        services_.secrets.store(device_refresh_token_key(services_.profile_id, device_.name), *grant.refresh_token);
    } catch (...) {
        fail(to_error(std::current_exception()), TokenState::NotAcquired);
    }
    services_.devices.set_token_state(device_.id, TokenState::Acquired, std::nullopt);
    services_.devices.record_refresh(device_.id, services_.unix_now());
    services_.devices.clear_error(device_.id);
    spdlog::info("device {}: token acquired for {}", device_.name, device_.mailbox);
    return *services_.devices.find(device_.name);
}

void delete_device_token(DeviceRepository& devices, auth::CredentialStore& secrets, const std::string& profile_id,
                         const Device& device) {
    // A device that signs in itself keeps its token on the device: only a relayed one has one here.
    if (device.kind == DeviceKind::Relayed) secrets.remove(device_refresh_token_key(profile_id, device.name));
    devices.set_token_state(device.id, TokenState::NotAcquired, std::nullopt);
}

}  // namespace tern::accounts
