// tern-cli device add|list|show|delete-token|remove: the registry of printers and scanners
// (DESIGN §5, §7). The sign-in by device code and the mailbox test are in device_sign_in_commands.
#include "commands.hpp"
#include "device_output.hpp"

#include "tern/accounts/device_guidance.hpp"
#include "tern/accounts/device_repository.hpp"
#include "tern/accounts/device_sign_in.hpp"
#include "tern/accounts/relay_credentials.hpp"
#include "tern/mail/relay/relay_spool.hpp"

#include <iomanip>
#include <iostream>

namespace tern::cli {

// The fields of DESIGN §7's `device list --json`, and the rest of the registry.
nlohmann::json device_json(const accounts::Device& d) {
    nlohmann::json out{{"name", d.name},
                       {"model", d.model},
                       {"address", d.address},
                       {"mailbox", d.mailbox},
                       {"kind", std::string(to_string(d.kind))},
                       {"token_state", std::string(to_string(d.token_state))},
                       {"token_state_text", std::string(display_name(d.token_state))},
                       {"token_reason", optional_json(d.token_reason)},
                       {"last_refresh", optional_json(d.last_refresh)},
                       {"last_error", optional_json(d.last_error)},
                       {"last_error_at", optional_json(d.last_error_at)}};
    if (d.kind == accounts::DeviceKind::Relayed) {
        out["relay_user"] = optional_json(d.relay_user);
        out["spooled"] = d.spooled;
        out["delivered"] = d.delivered;
        out["failed"] = d.failed;
    }
    return out;
}

accounts::Device find_device(Profile& profile, const std::string& name) {
    auto found = accounts::DeviceRepository(profile.db()).find(name);
    if (!found)
        throw Error(ErrorCategory::NotFound, "There is no device \"" + name + "\" in this profile (tern-cli device list).");
    return *found;
}

int device_add(const CliContext& ctx, const CommandArgs& args) {
    auto profile = ctx.open_profile();
    accounts::Device d;
    d.name = args.name;
    d.model = args.model;
    d.address = args.address;
    d.mailbox = args.mailbox;
    d.kind = *accounts::device_kind_from_string(args.kind);
    std::optional<Secret> relay_password;
    std::unique_ptr<auth::CredentialStore> secrets;
    if (d.kind == accounts::DeviceKind::Relayed) {
        d.relay_user = accounts::relay_user_for(d.name);
        relay_password = accounts::new_relay_password();
        // The password goes to the keyring first: a device is never registered without it.
        secrets = auth::make_system_credential_store();
        secrets->store(accounts::device_relay_password_key(profile.id(), d.name), *relay_password);
    }
    accounts::DeviceRepository repository(profile.db());
    try {
        repository.add(d);
    } catch (...) {
        if (secrets) secrets->remove(accounts::device_relay_password_key(profile.id(), d.name));
        throw;
    }
    const auto saved = *repository.find(d.name);
    if (ctx.json) {
        auto out = device_json(saved);
        // Shown once, here: the admin types it into the device's SMTP settings.
        if (relay_password) out["relay_password"] = std::string(relay_password->reveal());
        print_json(out);
        return exit_ok;
    }
    std::cout << "Added " << saved.name << " (" << saved.mailbox << ", "
              << (saved.kind == accounts::DeviceKind::Self ? "signs in itself" : "Tern relays its mail") << ").\n";
    if (relay_password)
        std::cout << "In the device's SMTP settings: user " << *saved.relay_user << ", password "
                  << relay_password->reveal()
                  << "\n(shown only now; it is kept in " << secrets->backend_name() << "). Next: tern-cli device login "
                  << saved.name << "\n";
    else
        std::cout << "Next: tern-cli device test " << saved.name << "\n";
    return exit_ok;
}

int device_list(const CliContext& ctx, const CommandArgs&) {
    auto profile = ctx.open_profile();
    const auto devices = accounts::DeviceRepository(profile.db()).list();
    if (ctx.json) {
        auto out = nlohmann::json::array();
        for (const auto& d : devices) out.push_back(device_json(d));
        print_json(out);
        return exit_ok;
    }
    if (devices.empty()) {
        std::cout << "No devices. Add one with: tern-cli device add NAME --mailbox EMAIL --kind self|relayed\n";
        return exit_ok;
    }
    for (const auto& d : devices)
        std::cout << std::left << std::setw(24) << d.name << ' ' << std::setw(32) << d.mailbox << ' ' << std::setw(8)
                  << to_string(d.kind) << ' ' << display_name(d.token_state) << '\n';
    return exit_ok;
}

nlohmann::json advice_json(const accounts::DeviceErrorAdvice& advice) {
    return {{"code", advice.code}, {"meaning", advice.meaning}, {"steps", advice.steps}};
}

// The codes a device shows on its own panel or Web Config (360, 361, 370): the rows of the
// table whose code is a bare number.
static std::vector<accounts::DeviceErrorAdvice> device_panel_codes() {
    std::vector<accounts::DeviceErrorAdvice> out;
    for (const auto& advice : accounts::device_error_table())
        if (advice.code.find_first_not_of("0123456789") == std::string::npos) out.push_back(advice);
    return out;
}

namespace {

// The relay's spool for one device: what waits (and why) and what failed for good.
std::vector<mail::relay::SpooledMessage> spooled_for(Profile& profile, const accounts::Device& device) {
    const auto file = mail::relay::relay_folder(profile.dir()) / "spool.db";
    if (device.kind != accounts::DeviceKind::Relayed || !std::filesystem::exists(file)) return {};
    return mail::relay::RelaySpool(file).list(device.id);
}

nlohmann::json spooled_json(const mail::relay::SpooledMessage& m) {
    return {{"queue_id", m.queue_id},       {"received_at", m.received_at},
            {"recipients", m.envelope.recipients}, {"attempts", m.attempts},
            {"next_attempt", m.failed ? nlohmann::json() : nlohmann::json(m.next_attempt)},
            {"last_error", optional_json(m.last_error)}};
}

}  // namespace

int device_show(const CliContext& ctx, const CommandArgs& args) {
    auto profile = ctx.open_profile();
    const auto d = find_device(profile, args.name);
    const auto spooled = spooled_for(profile, d);
    const auto advice = d.last_error ? accounts::advice_for(*d.last_error) : std::nullopt;
    const bool signs_in_itself = d.kind == accounts::DeviceKind::Self;
    if (ctx.json) {
        auto out = device_json(d);
        if (advice) out["last_error_advice"] = advice_json(*advice);
        if (d.kind == accounts::DeviceKind::Relayed) {
            auto waiting = nlohmann::json::array(), failed = nlohmann::json::array();
            for (const auto& m : spooled) (m.failed ? failed : waiting).push_back(spooled_json(m));
            out["waiting_messages"] = waiting;
            out["failed_messages"] = failed;
        }
        if (signs_in_itself) {
            auto checklist = nlohmann::json::array();
            for (const auto& item : accounts::admin_checklist())
                checklist.push_back({{"id", item.id}, {"title", item.title}, {"how", item.how}});
            out["checklist"] = checklist;
            auto codes = nlohmann::json::array();
            for (const auto& row : device_panel_codes()) codes.push_back(advice_json(row));
            out["device_error_codes"] = codes;
        }
        print_json(out);
        return exit_ok;
    }
    std::cout << d.name << (d.model.empty() ? "" : " (" + d.model + ")") << "\n  mailbox: " << d.mailbox
              << "\n  kind:    "
              << (d.kind == accounts::DeviceKind::Self ? "signs in to Exchange Online itself" : "Tern relays its mail")
              << "\n  token:   " << display_name(d.token_state) << (d.token_reason ? " (" + *d.token_reason + ")" : "")
              << '\n';
    if (!d.address.empty()) std::cout << "  address: " << d.address << '\n';
    if (d.relay_user)
        std::cout << "  relay:   user " << *d.relay_user << "; " << d.spooled << " spooled, " << d.delivered
                  << " delivered, " << d.failed << " failed\n";
    for (const auto& m : spooled)
        std::cout << "  " << (m.failed ? "failed  " : "waiting ") << m.queue_id << " to " << m.envelope.recipients.size()
                  << " recipient(s), " << m.attempts << " attempt(s)"
                  << (m.last_error ? ": " + *m.last_error : std::string()) << '\n';
    if (d.last_error) std::cout << "  last error: " << *d.last_error << '\n';
    if (advice) {
        std::cout << "  " << advice->code << ": " << advice->meaning << '\n';
        for (const auto& step : advice->steps) std::cout << "    - " << step << '\n';
    }
    if (signs_in_itself) {
        std::cout << "  Before \"Get token\" on the device, check:\n";
        for (const auto& item : accounts::admin_checklist())
            std::cout << "    [ ] " << item.title << "\n        " << item.how << '\n';
        std::cout << "  If the device shows an error code:\n";
        for (const auto& row : device_panel_codes()) {
            std::cout << "    " << row.code << ": " << row.meaning << '\n';
            for (const auto& step : row.steps) std::cout << "      - " << step << '\n';
        }
    }
    return exit_ok;
}

int device_delete_token(const CliContext& ctx, const CommandArgs& args) {
    auto profile = ctx.open_profile();
    const auto d = find_device(profile, args.name);
    accounts::DeviceRepository devices(profile.db());
    accounts::delete_device_token(devices, *auth::make_system_credential_store(), profile.id(), d);
    if (ctx.json)
        print_json(device_json(*accounts::DeviceRepository(profile.db()).find(d.name)));
    else
        std::cout << d.name << ": token deleted (" << display_name(accounts::TokenState::NotAcquired) << ").\n";
    return exit_ok;
}

int device_remove(const CliContext& ctx, const CommandArgs& args) {
    auto profile = ctx.open_profile();
    const auto d = find_device(profile, args.name);
    // Secrets first: if the keyring refuses, nothing is removed and the admin can try again.
    if (d.kind == accounts::DeviceKind::Relayed) {
        auto secrets = auth::make_system_credential_store();
        secrets->remove(accounts::device_refresh_token_key(profile.id(), d.name));
        secrets->remove(accounts::device_relay_password_key(profile.id(), d.name));
    }
    accounts::DeviceRepository(profile.db()).remove(d.name);
    if (ctx.json)
        print_json({{"removed", d.name}});
    else
        std::cout << "Removed " << d.name << (d.kind == accounts::DeviceKind::Relayed ? " and its secrets in the keyring" : "")
                  << ".\n";
    return exit_ok;
}

}  // namespace tern::cli
