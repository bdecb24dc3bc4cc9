#include "tern/core/secret.hpp"

#include "tern/core/redaction.hpp"

#include <utility>

namespace tern {

Secret::Secret(std::string value) : value_(std::move(value)) { remember_secret(value_); }

Secret::Secret(const Secret& other) : value_(other.value_) {}

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }

Secret& Secret::operator=(const Secret& other) {
    if (this != &other) {
        wipe();
        value_ = other.value_;
    }
    return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
    if (this != &other) {
        wipe();
        value_ = std::move(other.value_);
        other.wipe();
    }
    return *this;
}

Secret::~Secret() { wipe(); }

void Secret::wipe() noexcept {
    // volatile stops the compiler from dropping stores to memory about to be freed.
    volatile char* p = value_.data();
    for (std::size_t i = 0; i < value_.size(); ++i) p[i] = 0;
    value_.clear();
}

}  // namespace tern
