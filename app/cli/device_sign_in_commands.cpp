// tern-cli device login|test|refresh: signing devices' mailboxes in by device code (DESIGN §5).
// The code, the link, its QR code and the countdown go to stderr; --json prints the outcome on
// stdout. login keeps a relayed device's refresh token in the credential store; test keeps its
// token only in memory; refresh is the keep-alive run now.
#include "commands.hpp"
#include "device_context.hpp"
#include "device_output.hpp"
#include "interrupt.hpp"

#include "tern/accounts/device_keep_alive.hpp"
#include "tern/accounts/device_mailbox_test.hpp"
#include "tern/accounts/device_sign_in.hpp"
#include "tern/accounts/qr_code.hpp"

#include <unistd.h>

#include <iostream>

namespace tern::cli {
namespace {

void show_code(const accounts::Device& device, const auth::DeviceAuthorization& code) {
    std::cerr << "To sign in " << device.name << " (" << device.mailbox << "): open " << code.verification_uri
              << " and enter the code " << code.user_code << "\nor scan this with a phone:\n";
    try {
        std::cerr << accounts::QrCode::encode(code.verification_uri).to_terminal();
    } catch (const Error&) {
        // The link is still printed above; a missing picture does not stop the sign-in.
    }
    std::cerr << std::flush;
}

// A countdown: in place on a terminal, a line a minute otherwise (logs, tests).
std::function<void(const auth::DeviceFlowProgress&)> countdown() {
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    return [terminal, last_minute = -1L](const auth::DeviceFlowProgress& p) mutable {
        const long left = p.remaining.count();
        char text[64];
        std::snprintf(text, sizeof text, "Waiting for authorization: %ld:%02ld left", left / 60, left % 60);
        if (terminal) {
            std::cerr << '\r' << text << std::flush;
        } else if (left / 60 != last_minute) {
            last_minute = left / 60;
            std::cerr << text << '\n' << std::flush;
        }
    };
}

nlohmann::json error_json(const Error& e) {
    return {{"category", std::string(to_string(e.category()))}, {"message", e.message()}};
}

}  // namespace

int device_login(const CliContext& ctx, const CommandArgs& args) {
    DeviceContext dc(ctx);
    const auto device = find_device(dc.profile, args.name);
    accounts::DeviceSignIn sign_in(dc.services(), device);
    CancelToken cancel;
    CancelOnInterrupt interrupt(cancel);
    show_code(device, sign_in.get_token(&cancel));
    const auto signed_in = sign_in.wait(cancel, countdown());
    std::cerr << '\n';
    if (ctx.json) {
        print_json(device_json(signed_in));
    } else {
        std::cout << signed_in.name << ": token " << display_name(signed_in.token_state) << " for " << signed_in.mailbox
                  << "; kept in " << dc.secrets->backend_name() << ". The relay sends as it through "
                  << sign_in.target().smtp.host << ":" << sign_in.target().smtp.port << ".\n";
    }
    return exit_ok;
}

int device_test(const CliContext& ctx, const CommandArgs& args) {
    DeviceContext dc(ctx);
    const auto device = find_device(dc.profile, args.name);
    std::optional<mail::ServerEndpoint> smtp;
    if (!args.smtp.empty()) smtp = mail::parse_endpoint(mail::MailProtocol::Smtp, args.smtp);
    accounts::DeviceMailboxTest check(dc.services(), device, smtp);
    CancelToken cancel;
    CancelOnInterrupt interrupt(cancel);
    show_code(device, check.get_code(&cancel));
    const auto result = check.run(cancel, countdown());
    std::cerr << '\n';
    const std::string server = result.server.host + ":" + std::to_string(result.server.port) + ":" +
                               std::string(mail::to_string(result.server.tls));
    if (ctx.json) {
        nlohmann::json out{{"name", device.name}, {"mailbox", device.mailbox}, {"server", server}, {"ok", result.ok}};
        out["error"] = result.error ? error_json(*result.error) : nlohmann::json();
        out["advice"] = result.advice ? advice_json(*result.advice) : nlohmann::json();
        print_json(out);
    } else if (result.ok) {
        std::cout << device.mailbox << " signs in to " << server << " with XOAUTH2: SMTP AUTH works for " << device.name
                  << ".\n";
    } else {
        std::cerr << "tern-cli: " << result.error->message() << " [" << to_string(result.error->category()) << "]\n";
        if (result.advice) {
            std::cerr << result.advice->code << ": " << result.advice->meaning << '\n';
            for (const auto& step : result.advice->steps) std::cerr << "  - " << step << '\n';
        }
    }
    return result.ok ? exit_ok : exit_failed;
}

int device_refresh(const CliContext& ctx, const CommandArgs& args) {
    DeviceContext dc(ctx);
    accounts::DeviceMailboxes mailboxes(dc.services());
    accounts::DeviceKeepAlive keep_alive(mailboxes, accounts::keep_alive_settings(dc.profile.db()));
    std::vector<accounts::KeepAliveOutcome> outcomes;
    if (args.name.empty()) {
        outcomes = keep_alive.run_due();
    } else {
        const auto device = find_device(dc.profile, args.name);
        if (device.kind != accounts::DeviceKind::Relayed ||
            (device.token_state != accounts::TokenState::Acquired && device.token_state != accounts::TokenState::Invalid))
            throw Error(ErrorCategory::BadInput, device.name + " has no token here to refresh (" +
                                                     std::string(display_name(device.token_state)) +
                                                     "). Sign it in first: tern-cli device login " + device.name);
        outcomes.push_back(keep_alive.refresh(device));
    }
    bool failed = false;
    auto listed = nlohmann::json::array();
    for (const auto& o : outcomes) {
        failed = failed || o.error;
        listed.push_back({{"name", o.device},
                          {"refreshed", o.refreshed},
                          {"token_state", std::string(to_string(o.state))},
                          {"error", o.error ? error_json(*o.error) : nlohmann::json()}});
        if (ctx.json) continue;
        if (o.refreshed)
            std::cout << o.device << ": refreshed, token " << display_name(o.state) << ".\n";
        else
            std::cout << o.device << ": refresh failed, token " << display_name(o.state) << ": " << o.error->message()
                      << '\n';
    }
    const auto next = keep_alive.next_due();
    if (ctx.json) {
        print_json({{"devices", listed}, {"next_due", optional_json(next)}});
    } else if (outcomes.empty()) {
        std::cout << "No device needs a refresh now.\n";
    }
    return failed ? exit_failed : exit_ok;
}

}  // namespace tern::cli
