#include "mail_service.hpp"

namespace tern::ui {

MailService::MailService(ProfileLocation location)
    : location_(std::move(location)),
      store_(std::make_unique<Worker>("store", location_)),
      devices_(std::make_unique<Worker>("devices", location_)) {}

MailService::~MailService() {
    cancel_all();
    std::lock_guard lock(mutex_);
    accounts_.clear();
    devices_.reset();
    store_.reset();
}

Worker& MailService::account(std::int64_t account_id) {
    std::lock_guard lock(mutex_);
    auto& worker = accounts_[account_id];
    if (!worker) worker = std::make_unique<Worker>("account " + std::to_string(account_id), location_);
    return *worker;
}

void MailService::cancel_all() {
    std::lock_guard lock(mutex_);
    store_->cancel_all();
    devices_->cancel_all();
    for (auto& [id, worker] : accounts_) worker->cancel_all();
}

}  // namespace tern::ui
