// "Get token" for a relayed device (DESIGN §5): Tern signs the device's mailbox in by device code
// with SMTP.Send + offline_access and records the four token states the devices' manuals use:
//   Get token                       -> Waiting for authorization (code, link, expiry)
//   the person signs in             -> Acquired (refresh token in the credential store, last refresh)
//   declined / code expired / cancelled / the platform could not be reached
//                                   -> Not acquired, with the reason
//   the account cannot sign in (consent missing, not in the tenant, Conditional Access, ...)
//                                   -> Invalid, with the reason
//   Delete token                    -> Not acquired (delete_device_token)
#pragma once

#include "tern/accounts/device_services.hpp"
#include "tern/auth/device_code_flow.hpp"
#include "tern/auth/token_endpoint.hpp"
#include "tern/core/cancellation.hpp"
#include "tern/core/error.hpp"

#include <functional>
#include <memory>

namespace tern::accounts {

// True when a failure of the identity platform means the mailbox's sign-in cannot work until
// someone acts (revoked, expired from inactivity, consent, policy, account or app refused): the
// device is then Invalid. False for what passes or what the person chose (network, outage,
// declined, code expired, cancelled).
bool makes_sign_in_unusable(const Error& failure);

// What a device's last_error says: the person's message, with the protocol status ("535 5.7.139",
// "invalid_grant AADSTS65001") when the message lacks it, so that advice_for() finds the code.
std::string device_error_text(const Error& failure);

class DeviceSignIn {
public:
    // Throws BadInput for a device that signs in itself (its token lives on the device), and what
    // device_sign_in_target throws.
    DeviceSignIn(DeviceServices services, Device device);
    ~DeviceSignIn();

    // Get token: asks for a code, then deletes any token the device had (the new sign-in replaces
    // it) and records Waiting for authorization. When no code comes, the state stays (unless the
    // account is unusable: Invalid); the failure is recorded as last_error and thrown.
    const auth::DeviceAuthorization& get_token(const CancelToken* cancel = nullptr);

    // Waits until the person signed in at the link, then stores the refresh token and records
    // Acquired; returns the device as recorded. Any failure is recorded, then thrown.
    Device wait(const CancelToken& cancel, const std::function<void(const auth::DeviceFlowProgress&)>& on_progress = {});

    const DeviceSignInTarget& target() const { return target_; }

private:
    // Records `failure` (Invalid when it makes the sign-in unusable, else `otherwise`; nullopt:
    // the state stays) and throws it.
    [[noreturn]] void fail(const Error& failure, std::optional<TokenState> otherwise);

    DeviceServices services_;
    Device device_;
    DeviceSignInTarget target_;
    std::unique_ptr<auth::TokenEndpoint> endpoint_;
    std::optional<auth::DeviceAuthorization> authorization_;
};

// Delete token: removes a relayed device's refresh token from the credential store and records
// Not acquired.
void delete_device_token(DeviceRepository& devices, auth::CredentialStore& secrets, const std::string& profile_id,
                         const Device& device);

}  // namespace tern::accounts
