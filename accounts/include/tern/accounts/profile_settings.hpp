// Reads the profile's tuning knobs from the `settings` table (key, value): the fallback policy's
// and the device keep-alive's. One reader, so every knob is checked the same way.
#pragma once

#include "tern/core/database.hpp"

#include <optional>

namespace tern::accounts {

// The setting as a whole number from 1 to 100000; nullopt when it is absent or not such a number
// (then a warning goes to the log and the caller keeps its default).
std::optional<long> positive_setting(Database& db, const char* key);

}  // namespace tern::accounts
