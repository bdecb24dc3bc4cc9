#include "tern/accounts/device_mailbox_test.hpp"

#include "tern/accounts/device_sign_in.hpp"
#include "tern/mail/login_check.hpp"

#include <spdlog/spdlog.h>

namespace tern::accounts {

DeviceMailboxTest::DeviceMailboxTest(DeviceServices services, Device device, std::optional<mail::ServerEndpoint> smtp)
    : services_(std::move(services)), device_(std::move(device)) {
    target_ = device_sign_in_target(services_.catalog, device_.mailbox);
    server_ = smtp ? *smtp : target_.smtp;
    server_.protocol = mail::MailProtocol::Smtp;
    endpoint_ = std::make_unique<auth::TokenEndpoint>(services_.http, target_.oauth, device_.mailbox);
}

DeviceMailboxTest::~DeviceMailboxTest() = default;

MailboxTestResult DeviceMailboxTest::record(MailboxTestResult result) {
    if (result.error) {
        const auto text = device_error_text(*result.error);
        result.advice = advice_for(text);
        services_.devices.record_error(device_.id, text, services_.unix_now());
        spdlog::info("device {}: mailbox test failed: {}", device_.name, result.error->log_line());
    } else {
        services_.devices.clear_error(device_.id);
        spdlog::info("device {}: mailbox test passed on {}:{}", device_.name, server_.host, server_.port);
    }
    return result;
}

const auth::DeviceAuthorization& DeviceMailboxTest::get_code(const CancelToken* cancel) {
    try {
        authorization_ = endpoint_->request_device_code(cancel);
    } catch (...) {
        MailboxTestResult failed;
        failed.server = server_;
        failed.error = to_error(std::current_exception());
        throw *record(std::move(failed)).error;
    }
    return *authorization_;
}

MailboxTestResult DeviceMailboxTest::run(const CancelToken& cancel,
                                         const std::function<void(const auth::DeviceFlowProgress&)>& on_progress) {
    if (!authorization_) throw Error(ErrorCategory::Internal, {}, "DeviceMailboxTest::run before get_code");
    std::optional<Secret> token;
    try {
        token = auth::wait_for_device_grant(*endpoint_, *authorization_, cancel, on_progress).access_token;
    } catch (const Error& e) {
        if (e.category() == ErrorCategory::Cancelled && cancel.cancelled()) throw;
        MailboxTestResult failed;
        failed.server = server_;
        failed.error = e;
        return record(std::move(failed));
    }
    // The grant's refresh token is dropped here: a test leaves nothing behind.
    return try_smtp(*token, std::shared_ptr<const CancelToken>(&cancel, [](const CancelToken*) {}));
}

MailboxTestResult DeviceMailboxTest::try_smtp(const Secret& access_token, const std::shared_ptr<const CancelToken>& cancel) {
    MailboxTestResult result;
    result.server = server_;
    mail::ConnectionOptions options;
    options.server = server_;
    options.credentials =
        std::make_shared<mail::FixedCredentials>(mail::SaslLogin{target_.mechanism, device_.mailbox, access_token});
    options.trust = trust_;
    options.timeout = timeout_;
    options.cancel = cancel;
    try {
        result.server_reply = mail::check_login(options).server_reply;
        result.ok = true;
    } catch (...) {
        result.error = to_error(std::current_exception());
        if (result.error->category() == ErrorCategory::Cancelled && cancel && cancel->cancelled()) throw *result.error;
    }
    return record(std::move(result));
}

}  // namespace tern::accounts
