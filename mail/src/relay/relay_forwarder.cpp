#include "tern/mail/relay/relay_forwarder.hpp"

#include "tern/mail/smtp_submission.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

namespace tern::mail::relay {
namespace {

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::vector<std::int64_t> ids_of(const std::vector<const SpooledMessage*>& messages) {
    std::vector<std::int64_t> ids;
    ids.reserve(messages.size());
    for (const auto* m : messages) ids.push_back(m->id);
    return ids;
}

}  // namespace

RelayForwarder::RelayForwarder(RelaySpool& spool, RelayDirectory& directory, ForwarderSettings settings)
    : spool_(spool), directory_(directory), settings_(settings) {}

RelayForwarder::~RelayForwarder() { stop(); }

void RelayForwarder::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { run(); });
}

void RelayForwarder::stop() {
    cancel_->cancel();
    spool_.wake();
    if (thread_.joinable()) thread_.join();
}

std::chrono::seconds RelayForwarder::retry_delay(int attempts) const {
    auto delay = settings_.first_retry;
    for (int i = 0; i < attempts && delay < settings_.max_retry; ++i) delay *= 2;
    return std::min(delay, settings_.max_retry);
}

std::vector<std::int64_t> RelayForwarder::held_devices(std::int64_t now) const {
    std::vector<std::int64_t> held;
    for (const auto& [device_id, hold] : holds_)
        if (hold.until > now) held.push_back(device_id);
    return held;
}

void RelayForwarder::run() {
    while (!cancel_->cancelled()) {
        const auto seen = spool_.commit_count();  // a message committed during the pass wakes the next one
        try {
            deliver_due(unix_now());
        } catch (const Error& e) {
            // The spool itself failed (disk full, ...): try again later rather than spin.
            spdlog::error("relay: a delivery pass failed: {}", e.log_line());
            cancel_->wait_for(std::chrono::seconds(5));
            continue;
        }
        if (cancel_->cancelled()) break;
        // Sleep until the next message or held device falls due, a new message is committed, or stop().
        const auto now = unix_now();
        auto next = spool_.next_due(held_devices(now));
        for (const auto& [device_id, hold] : holds_)
            if (hold.until > now) next = std::min(next.value_or(hold.until), hold.until);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        if (next) {
            const auto wait = std::chrono::seconds(std::max<std::int64_t>(0, *next - now));
            deadline = std::min(deadline, std::chrono::steady_clock::now() + wait);
        }
        if (deadline > std::chrono::steady_clock::now()) spool_.wait_for_work(seen, deadline);
    }
}

int RelayForwarder::deliver_due(std::int64_t now) {
    int delivered = 0;
    while (!cancel_->cancelled()) {
        const auto due = spool_.due(now, settings_.batch, held_devices(now));
        if (due.empty()) break;
        // One connection per device, its messages in the order they came.
        std::map<std::int64_t, std::vector<const SpooledMessage*>> by_device;
        for (const auto& m : due) by_device[m.device_id].push_back(&m);
        for (const auto& [device_id, messages] : by_device) deliver_device(device_id, messages, now, delivered);
        if (static_cast<int>(due.size()) < settings_.batch) break;
    }
    return delivered;
}

void RelayForwarder::deliver_device(std::int64_t device_id, const std::vector<const SpooledMessage*>& messages,
                                    std::int64_t now, int& delivered) {
    std::unique_ptr<SmtpSubmitter> submitter;
    try {
        auto options = directory_.upstream(device_id);
        options.cancel = cancel_;
        submitter = std::make_unique<SmtpSubmitter>(std::move(options));
    } catch (const Error& e) {
        // Not signed in, the token refused, the server away: the mail waits for all of them.
        if (e.category() == ErrorCategory::Cancelled && cancel_->cancelled()) return;
        spdlog::warn("relay: device {}: cannot reach the upstream server: {}", device_id, e.log_line());
        directory_.deferred(device_id, e);
        hold(device_id, messages, now, e);
        return;
    }
    holds_.erase(device_id);
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& m = *messages[i];
        try {
            const auto receipt = submitter->submit({m.envelope.sender, m.envelope.recipients, spool_.message_text(m.id)});
            spool_.remove(m.id);
            directory_.delivered(device_id);
            ++delivered;
            spdlog::info("relay: device {}: delivered {} upstream ({})", device_id, m.queue_id, receipt.server_reply);
        } catch (const SubmissionRefused& refused) {
            if (refused.meaning().permanent) {
                spool_.mark_failed({m.id}, refused.message());
                directory_.failed(device_id, refused.message());
                spdlog::warn("relay: device {}: {} refused for good: {}", device_id, m.queue_id, refused.log_line());
            } else {
                directory_.deferred(device_id, refused);
                defer(m, now, refused, refused.meaning().backoff);
            }
        } catch (const Error& e) {
            // The connection broke: this message and the rest of the pass wait for the next one.
            if (e.category() == ErrorCategory::Cancelled && cancel_->cancelled()) return;
            directory_.deferred(device_id, e);
            hold(device_id, {messages.begin() + static_cast<std::ptrdiff_t>(i), messages.end()}, now, e);
            return;
        }
    }
}

bool RelayForwarder::too_old(const SpooledMessage& message, std::int64_t now) const {
    return now - message.received_at >= settings_.max_queue_age.count();
}

void RelayForwarder::fail_too_old(const std::vector<const SpooledMessage*>& messages, const Error& why) {
    if (messages.empty()) return;
    const auto text = "The relay could not deliver this message for " +
                      std::to_string(settings_.max_queue_age.count() / 3600) + " hours and gave up: " + why.message();
    spool_.mark_failed(ids_of(messages), text);
    for (const auto* m : messages) directory_.failed(m->device_id, text);
}

void RelayForwarder::hold(std::int64_t device_id, const std::vector<const SpooledMessage*>& messages,
                          std::int64_t now, const Error& why) {
    auto& held = holds_[device_id];
    const auto delay = retry_delay(held.failures++);
    held.until = now + delay.count();
    std::vector<const SpooledMessage*> waiting, expired;
    for (const auto* m : messages) (too_old(*m, now) ? expired : waiting).push_back(m);
    fail_too_old(expired, why);
    spool_.defer(ids_of(waiting), held.until, why.message());
    spdlog::info("relay: device {}: {} message(s) deferred for {} s: {}", device_id, waiting.size(), delay.count(),
                 why.message());
}

void RelayForwarder::defer(const SpooledMessage& message, std::int64_t now, const Error& why,
                           std::optional<std::chrono::seconds> server_backoff) {
    if (too_old(message, now)) return fail_too_old({&message}, why);
    auto delay = retry_delay(message.attempts);
    if (server_backoff) delay = std::max(delay, *server_backoff);
    spool_.defer({message.id}, now + delay.count(), why.message());
    spdlog::info("relay: device {}: {} deferred for {} s: {}", message.device_id, message.queue_id, delay.count(),
                 why.message());
}

}  // namespace tern::mail::relay
