// What the device commands share: a device as JSON (DESIGN §7's `device list --json` fields) and
// the named device or NotFound.
#pragma once

#include "cli_context.hpp"
#include "tern/accounts/device.hpp"
#include "tern/accounts/device_guidance.hpp"

#include <nlohmann/json.hpp>

namespace tern::cli {

nlohmann::json device_json(const accounts::Device& device);
nlohmann::json advice_json(const accounts::DeviceErrorAdvice& advice);
// Throws NotFound naming `tern-cli device list`.
accounts::Device find_device(Profile& profile, const std::string& name);

}  // namespace tern::cli
