// tern-cli relay [--listen HOST:PORT]: the device relay, headless (DESIGN §5), until SIGTERM or
// Ctrl-C. Devices submit with STARTTLS and their relay user; mail goes to the spool, then upstream
// as the device's mailbox with XOAUTH2; relayed devices are kept signed in meanwhile. The log (per
// device) goes to the profile's log, and to stderr with -v (the systemd unit uses that).
#include "commands.hpp"
#include "device_context.hpp"
#include "interrupt.hpp"

#include "tern/accounts/device_keep_alive.hpp"
#include "tern/accounts/profile_settings.hpp"
#include "tern/accounts/relay_device_directory.hpp"
#include "tern/accounts/relay_listen_settings.hpp"
#include "tern/mail/relay/relay_forwarder.hpp"
#include "tern/mail/relay/relay_server.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <iostream>
#include <thread>

namespace tern::cli {
namespace {

// --listen HOST:PORT, or else the address saved in the profile (the devices pane's relay page;
// 127.0.0.1:2525 until one is saved). Port 0 on the command line: any free port.
std::pair<std::string, std::uint16_t> listen_address(const std::string& option, Database& db) {
    if (option.empty()) {
        const auto saved = accounts::relay_listen_address(db);
        return {saved.host, saved.port};
    }
    const auto colon = option.rfind(':');  // the option's validator checked HOST:PORT
    std::string host = option.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return {host, static_cast<std::uint16_t>(std::stoi(option.substr(colon + 1)))};
}

std::string this_host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "tern-relay";
    return name;
}

// Runs the keep-alive at start and whenever the next device falls due (at least hourly, so a
// device signed in meanwhile is picked up), until `stop` is cancelled.
void keep_alive_loop(accounts::DeviceMailboxes& mailboxes, accounts::KeepAliveSettings settings,
                     const CancelToken& stop) {
    accounts::DeviceKeepAlive keep_alive(mailboxes, settings);
    while (!stop.cancelled()) {
        try {
            for (const auto& outcome : keep_alive.run_due(&stop))
                if (outcome.error)
                    spdlog::warn("relay: device \"{}\": keeping it signed in failed: {}", outcome.device,
                                 outcome.error->log_line());
                else
                    spdlog::info("relay: device \"{}\": sign-in kept alive", outcome.device);
        } catch (const Error& e) {
            spdlog::error("relay: the keep-alive pass failed: {}", e.log_line());
        }
        std::int64_t wait = 3600;
        if (const auto next = keep_alive.next_due())
            wait = std::clamp<std::int64_t>(*next - mailboxes.services().unix_now(), 1, 3600);
        stop.wait_for(std::chrono::seconds(wait));
    }
}

}  // namespace

int run_relay(const CliContext& ctx, const CommandArgs& args) {
    DeviceContext dc(ctx);
    auto& db = dc.profile.db();
    const auto [host, port] = listen_address(args.listen, db);

    mail::relay::RelayServerSettings settings;
    settings.listen_host = host;
    settings.listen_port = port;
    settings.hostname = this_host_name();
    if (const auto mb = accounts::positive_setting(db, "relay.max_message_mb"))
        settings.limits.max_message_bytes = static_cast<std::size_t>(*mb) * 1024 * 1024;
    if (const auto n = accounts::positive_setting(db, "relay.max_recipients"))
        settings.limits.max_recipients = static_cast<std::size_t>(*n);
    if (const auto ms = accounts::positive_setting(db, "relay.auth_failure_delay_ms"))
        settings.auth_failure_delay = std::chrono::milliseconds(*ms);
    mail::relay::ForwarderSettings forwarding;
    if (const auto s = accounts::positive_setting(db, "relay.first_retry_seconds"))
        forwarding.first_retry = std::chrono::seconds(*s);

    const auto relay_dir = mail::relay::relay_folder(dc.profile.dir());
    const auto certificate = mail::relay::load_or_create_relay_certificate(relay_dir, {settings.hostname, host});
    mail::relay::RelaySpool spool(relay_dir / "spool.db");
    accounts::DeviceMailboxes mailboxes(dc.services());
    accounts::RelayDeviceDirectory directory(mailboxes);
    spool.on_committed([&directory](const std::vector<std::pair<std::int64_t, int>>& per_device) {
        for (const auto& [device, count] : per_device) directory.spooled(device, count);
    });
    mail::relay::RelayServer server(settings, certificate, directory, spool);
    server.listen();

    const auto waiting = spool.counts();
    const auto devices = dc.devices.list();
    const auto relayed = std::count_if(devices.begin(), devices.end(),
                                       [](const auto& d) { return d.kind == accounts::DeviceKind::Relayed; });
    const std::string where = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                              std::to_string(server.port());
    if (ctx.json) {
        print_json({{"listening", where},
                    {"port", server.port()},
                    {"certificate_sha256", certificate.sha256_fingerprint},
                    {"relayed_devices", relayed},
                    {"spooled", waiting.queued},
                    {"failed", waiting.failed}});
    } else {
        std::cout << "Tern relay listening on " << where << " (STARTTLS required; certificate SHA-256 "
                  << certificate.sha256_fingerprint << ") for " << relayed << " relayed device(s); "
                  << waiting.queued << " message(s) waiting in the spool. Stop with Ctrl-C or SIGTERM.\n";
    }
    std::cout << std::flush;
    spdlog::info("relay: listening on {} for {} relayed device(s), {} queued from before", where, relayed,
                 waiting.queued);

    CancelToken stop;
    CancelOnInterrupt interrupt(stop);
    mail::relay::RelayForwarder forwarder(spool, directory, forwarding);
    forwarder.start();  // what a crash left in the spool goes first
    std::thread keep_alive([&] { keep_alive_loop(mailboxes, accounts::keep_alive_settings(db), stop); });
    std::thread stopper([&] {
        while (!stop.cancelled()) stop.wait_for(std::chrono::hours(1));
        server.stop();
    });
    server.run();
    stop.cancel();
    stopper.join();
    keep_alive.join();
    forwarder.stop();
    spdlog::info("relay: stopped");
    if (!ctx.json) std::cerr << "Tern relay stopped.\n";
    return exit_ok;
}

}  // namespace tern::cli
