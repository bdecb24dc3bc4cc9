// Full first sync of one IMAP folder into a fresh profile, timed: what a person waits for after
// adding an account with the "download every body" policy (headers + bodies + full-text index).
// Links tern_mail directly (FixedCredentials: no keyring in the measurement).
//
//   tern_bench_sync --profile DIR --host 127.0.0.1 --port PORT --user EMAIL --ca CA.pem
//                   [--folder INBOX] [--password-env VAR] [--expect N]
//
// The password comes from the environment variable VAR (default TERN_BENCH_PASSWORD), never from
// the command line. DIR must not exist yet or be empty. Prints one JSON object on stdout: message
// count, wall seconds (total and per stage), messages/s, CPU seconds, peak RSS (VmHWM), database
// size. Exit 1 when the sync fails or the store does not hold `--expect` messages with bodies.
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/imap_sync.hpp"
#include "tern/mail/mail_library.hpp"
#include "tern/mail/message_store.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

// Peak resident set size of this process in KiB, as the kernel counts it (VmHWM).
long peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

double cpu_seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

std::uintmax_t tree_size(const std::filesystem::path& dir) {
    std::uintmax_t total = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
        if (entry.is_regular_file()) total += entry.file_size();
    return total;
}

int usage_error(const std::string& what) {
    std::cerr << "tern_bench_sync: " << what
              << "\nusage: tern_bench_sync --profile DIR --host HOST --port PORT --user EMAIL --ca CA.pem"
                 " [--folder INBOX] [--password-env VAR] [--expect N]\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> args{{"--folder", "INBOX"}, {"--password-env", "TERN_BENCH_PASSWORD"}};
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        if (key.rfind("--", 0) != 0 || i + 1 >= argc) return usage_error("bad argument " + key);
        args[key] = argv[++i];
    }
    for (const char* required : {"--profile", "--host", "--port", "--user", "--ca"})
        if (!args.count(required)) return usage_error(std::string("missing ") + required);
    const char* password = std::getenv(args["--password-env"].c_str());
    if (!password) return usage_error("the environment variable " + args["--password-env"] + " is not set");
    const std::filesystem::path home = args["--profile"];
    if (std::filesystem::exists(home) && !std::filesystem::is_empty(home))
        return usage_error(home.string() + " is not empty: every run starts from a fresh profile");
    const std::string folder = args["--folder"];

    try {
        spdlog::set_level(spdlog::level::warn);  // stdout carries the JSON result only
        tern::mail::initialise_mail_library();
        const auto began = Clock::now();
        auto profile = tern::Profile::open(home);
        profile.db().exec(
            "INSERT INTO accounts (email, provider, mode, created_at) VALUES ('bench@example.test', 'custom', "
            "'password', 0)");
        const auto account_id = profile.db().last_insert_rowid();
        tern::mail::MessageStore store(profile.db());

        tern::mail::ConnectionOptions options;
        options.server = {tern::mail::MailProtocol::Imap, args["--host"], std::stoi(args["--port"]),
                          tern::mail::TlsMode::Ssl, {}};
        options.credentials = std::make_shared<tern::mail::FixedCredentials>(tern::mail::SaslLogin{
            tern::mail::SaslMechanism::Password, args["--user"], tern::Secret(password)});
        options.trust.use_system_store = false;
        options.trust.extra_ca_file = args["--ca"];
        options.timeout = std::chrono::seconds(120);
        tern::mail::SyncSettings settings;
        settings.bodies = tern::mail::BodyPolicy::All;
        tern::mail::ImapSync sync(store, account_id, options, settings);

        // When each stage last reported (each report follows a stored batch): where the time went.
        std::map<tern::mail::SyncProgress::Stage, Clock::time_point> last_seen;
        const auto report =
            sync.sync([&](const tern::mail::SyncProgress& p) { last_seen[p.stage] = Clock::now(); }, {folder});
        const auto ended = Clock::now();

        std::int64_t added = 0, bodies = 0;
        for (const auto& f : report.folders) {
            added += f.added;
            bodies += f.bodies;
        }
        const auto stored = profile.db().query_int("SELECT count(*) FROM messages");
        const auto with_body = profile.db().query_int("SELECT count(*) FROM messages WHERE body_state = 'downloaded'");
        const auto indexed = profile.db().query_int("SELECT count(*) FROM message_text WHERE body <> ''");

        using Stage = tern::mail::SyncProgress::Stage;
        const auto headers_done = last_seen.count(Stage::Headers) ? last_seen[Stage::Headers] : began;
        const auto flags_done = last_seen.count(Stage::Flags) ? last_seen[Stage::Flags] : headers_done;
        rusage self{};
        getrusage(RUSAGE_SELF, &self);
        const double wall = seconds_between(began, ended);
        nlohmann::json out{
            {"tool", "tern"},
            {"folder", folder},
            {"messages", stored},
            {"added", added},
            {"bodies", bodies},
            {"with_body", with_body},
            {"with_text", indexed},
            {"seconds", wall},
            {"messages_per_second", wall > 0 ? static_cast<double>(stored) / wall : 0.0},
            // Profile, connect, LIST, STATUS, SELECT and every header batch stored; then the pass
            // over all flags (UID FLAGS of every message); then the bodies with the index.
            {"headers_seconds", seconds_between(began, headers_done)},
            {"flags_seconds", seconds_between(headers_done, flags_done)},
            {"bodies_seconds", seconds_between(flags_done, ended)},
            {"user_cpu_seconds", cpu_seconds(self.ru_utime)},
            {"system_cpu_seconds", cpu_seconds(self.ru_stime)},
            {"peak_rss_kib", peak_rss_kib()},
            {"profile_bytes", tree_size(home)},
        };
        std::cout << out.dump() << std::endl;
        if (args.count("--expect")) {
            const auto expect = std::stoll(args["--expect"]);
            if (stored != expect || with_body != expect) {
                std::cerr << "tern_bench_sync: expected " << expect << " messages with bodies, the store holds "
                          << stored << " (" << with_body << " with bodies)\n";
                return 1;
            }
        }
        return 0;
    } catch (const tern::Error& e) {
        std::cerr << "tern_bench_sync: " << e.log_line() << '\n';
    } catch (const std::exception& e) {
        std::cerr << "tern_bench_sync: " << e.what() << '\n';
    }
    return 1;
}
