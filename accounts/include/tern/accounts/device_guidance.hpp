// What the devices pane and `tern-cli device show` tell an admin (DESIGN §5): the error codes
// printers and scanners show or Exchange Online answers, each with its meaning and the steps that
// fix it, and the checklist for a device that signs in to Exchange Online itself. Data, in one
// place, so that the desktop pane and the command line say the same thing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::accounts {

struct DeviceErrorAdvice {
    std::string code;     // "360", "5.7.139", "AADSTS65001"
    std::string meaning;  // what it means, in plain words
    std::vector<std::string> steps;  // what to do, in order
};

// Every code the table knows, device codes first, then SMTP answers, then AADSTS codes.
const std::vector<DeviceErrorAdvice>& device_error_table();

// The advice for a code as a person types it or a message carries it: "360", "Error 361",
// "5.7.139", "535 5.7.139 Authentication unsuccessful ...", "aadsts65001", "65001". nullopt when
// none of the known codes is in the text.
std::optional<DeviceErrorAdvice> advice_for(std::string_view text);

struct ChecklistItem {
    std::string id;     // stable, for the UI's check marks: "smtp-auth", "firmware", ...
    std::string title;  // "SMTP AUTH is enabled for the tenant and the device's mailbox"
    std::string how;    // where to look or what to run
};

// For a device that signs in itself, before and after "Get token".
const std::vector<ChecklistItem>& admin_checklist();

}  // namespace tern::accounts
