// A password or token held in memory: wiped when destroyed, never printable by accident, and
// remembered by the redaction layer so that it cannot reach a log.
#pragma once

#include <string>
#include <string_view>

namespace tern {

class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value);
    Secret(const Secret& other);
    Secret(Secret&& other) noexcept;
    Secret& operator=(const Secret& other);
    Secret& operator=(Secret&& other) noexcept;
    ~Secret();

    // Deliberately named: every place that needs the plain value says so.
    std::string_view reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }

    friend bool operator==(const Secret& a, const Secret& b) { return a.value_ == b.value_; }
    friend bool operator!=(const Secret& a, const Secret& b) { return !(a == b); }

private:
    void wipe() noexcept;
    std::string value_;
};

}  // namespace tern
