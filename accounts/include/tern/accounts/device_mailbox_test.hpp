// "Test this mailbox" for a device (DESIGN §5): signs the device's mailbox in by device code (the
// token stays in this object's memory, never stored) and tries SMTP AUTH XOAUTH2 on the SMTP
// server the device uses, then records the outcome as the device's last_error (cleared when it
// works), so the registry explains it: 5.7.139 (SMTP AUTH disabled for the tenant or mailbox),
// 5.7.30, 5.7.3 and the AADSTS cases, with the steps of device_guidance.
#pragma once

#include "tern/accounts/device_guidance.hpp"
#include "tern/accounts/device_services.hpp"
#include "tern/auth/device_code_flow.hpp"
#include "tern/auth/token_endpoint.hpp"
#include "tern/mail/tls_trust.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace tern::accounts {

struct MailboxTestResult {
    bool ok = false;
    mail::ServerEndpoint server;
    std::string server_reply;                 // the server's last line when it worked
    std::optional<Error> error;               // what failed: the sign-in or SMTP AUTH
    std::optional<DeviceErrorAdvice> advice;  // the table's steps for the code in the error
};

class DeviceMailboxTest {
public:
    // `smtp`: the server to try (the device's own setting, e.g. --smtp); nullopt: the provider's
    // OAuth SMTP server. Throws what device_sign_in_target throws.
    DeviceMailboxTest(DeviceServices services, Device device, std::optional<mail::ServerEndpoint> smtp = std::nullopt);
    ~DeviceMailboxTest();

    const mail::ServerEndpoint& server() const { return server_; }
    // Which certificates the SMTP server may present (default: the system's and TERN_CA_FILE).
    void set_trust(mail::TlsTrust trust) { trust_ = std::move(trust); }
    void set_timeout(std::chrono::seconds timeout) { timeout_ = timeout; }

    // Asks for a code. A failure is recorded as the device's last_error and thrown.
    const auth::DeviceAuthorization& get_code(const CancelToken* cancel = nullptr);

    // Waits for the person to sign in, then tries SMTP AUTH; records and returns the outcome.
    // Throws only Cancelled (nothing recorded: there is no outcome).
    MailboxTestResult run(const CancelToken& cancel,
                          const std::function<void(const auth::DeviceFlowProgress&)>& on_progress = {});

    // The SMTP half with a token already in hand; records and returns the outcome.
    MailboxTestResult try_smtp(const Secret& access_token, const std::shared_ptr<const CancelToken>& cancel = nullptr);

private:
    MailboxTestResult record(MailboxTestResult result);

    DeviceServices services_;
    Device device_;
    DeviceSignInTarget target_;
    mail::ServerEndpoint server_;
    mail::TlsTrust trust_ = mail::TlsTrust::from_environment();
    std::chrono::seconds timeout_{30};
    std::unique_ptr<auth::TokenEndpoint> endpoint_;
    std::optional<auth::DeviceAuthorization> authorization_;
};

}  // namespace tern::accounts
