// What the devices pane asks of the core, as plain functions and objects that run on the devices
// worker (or the store worker for reads): no wxWidgets here, and nothing here runs on the UI
// thread. Each takes the worker's MailProfile.
#pragma once

#include "tern/accounts/device.hpp"
#include "tern/accounts/device_mailbox_test.hpp"
#include "tern/accounts/device_registration.hpp"
#include "tern/accounts/device_sign_in.hpp"
#include "tern/accounts/mail_profile.hpp"
#include "tern/accounts/relay_listen_settings.hpp"
#include "tern/auth/device_code_flow.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tern::ui {

std::vector<accounts::Device> load_devices(accounts::MailProfile& profile);

accounts::RegisteredDevice add_device(accounts::MailProfile& profile, accounts::Device device);
accounts::Device delete_token(accounts::MailProfile& profile, const std::string& device_name);

struct RelaySettings {
    accounts::RelayListenAddress listen;
    std::string certificate_sha256;  // the relay certificate's fingerprint ("ab:cd:...")
};
// Makes the relay's certificate if the profile has none yet.
RelaySettings load_relay_settings(accounts::MailProfile& profile);
RelaySettings save_relay_settings(accounts::MailProfile& profile, const accounts::RelayListenAddress& listen);
Secret relay_password(accounts::MailProfile& profile, const std::string& device_name);

// A device-code sign-in between its two jobs: start() asks for the code (Get token for a relayed
// device, or the first half of "Test this mailbox" for one that signs in itself), finish() waits
// for the person and ends it. Both run on the devices worker, one after the other; the object
// keeps what they share (registry, HTTPS client, the flow) alive in between.
class DeviceCodeSession {
public:
    enum class Purpose { GetToken, TestMailbox };
    struct Outcome {
        accounts::Device device;                             // as the registry now has it
        std::optional<accounts::MailboxTestResult> test;     // TestMailbox only
    };

    static std::shared_ptr<DeviceCodeSession> start(accounts::MailProfile& profile, const std::string& device_name,
                                                    Purpose purpose, const CancelToken& cancel);
    ~DeviceCodeSession();

    Purpose purpose() const { return purpose_; }
    const accounts::Device& device() const { return device_; }
    const auth::DeviceAuthorization& code() const { return *code_; }
    Outcome finish(const CancelToken& cancel, const std::function<void(const auth::DeviceFlowProgress&)>& progress);

private:
    DeviceCodeSession(accounts::MailProfile& profile, const std::string& device_name, Purpose purpose);

    accounts::MailProfile& profile_;
    accounts::DeviceRepository devices_;
    std::unique_ptr<auth::HttpClient> http_;
    Purpose purpose_;
    accounts::Device device_;
    std::unique_ptr<accounts::DeviceSignIn> sign_in_;
    std::unique_ptr<accounts::DeviceMailboxTest> test_;
    const auth::DeviceAuthorization* code_ = nullptr;
};

}  // namespace tern::ui
