// tern-cli as a person or a script meets it: exit codes, --version, --help, usage errors,
// a relay address it cannot listen on, and account list on an empty profile.
#include "../unit/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

using tern::test::TempDir;

namespace {

struct Run {
    int code;
    std::string out;
    std::string err;
};

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

Run tern_cli(const TempDir& tmp, const std::string& args) {
    const auto out = tmp / "stdout", err = tmp / "stderr";
    const std::string command = std::string("'") + TERN_CLI_PATH + "' " + args + " >'" + out.string() + "' 2>'" +
                                err.string() + "' </dev/null";
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    return {WEXITSTATUS(status), slurp(out), slurp(err)};
}

}  // namespace

TEST_CASE("tern-cli --version prints the version and exits 0", "[cli]") {
    TempDir tmp;
    auto r = tern_cli(tmp, "--version");
    CHECK(r.code == 0);
    CHECK(r.out.rfind("tern-cli ", 0) == 0);
}

TEST_CASE("tern-cli --help lists the command tree of DESIGN §7", "[cli]") {
    TempDir tmp;
    auto r = tern_cli(tmp, "--help");
    CHECK(r.code == 0);
    for (const char* command : {"account", "login", "sync", "list", "show", "search", "send", "outbox", "device", "relay"})
        CHECK(r.out.find(command) != std::string::npos);
    auto device = tern_cli(tmp, "device --help");
    for (const char* command : {"add", "list", "show", "login", "delete-token", "test", "remove"})
        CHECK(device.out.find(command) != std::string::npos);
}

TEST_CASE("usage errors exit 2 with a message that says what is wrong", "[cli]") {
    TempDir tmp;
    auto none = tern_cli(tmp, "");
    CHECK(none.code == 2);
    auto unknown = tern_cli(tmp, "frobnicate");
    CHECK(unknown.code == 2);
    CHECK(unknown.err.find("frobnicate") != std::string::npos);
    auto missing = tern_cli(tmp, "show alice@example.test");
    CHECK(missing.code == 2);
    CHECK(missing.err.find("UID") != std::string::npos);
    auto bad_auth = tern_cli(tmp, "account add a@b.test --auth carrier-pigeon");
    CHECK(bad_auth.code == 2);
    auto bad_server = tern_cli(tmp, "account add a@b.test --imap imap.example.test:99999:ssl");
    CHECK(bad_server.code == 2);
    CHECK(bad_server.err.find("1 to 65535") != std::string::npos);
    auto bad_kind = tern_cli(tmp, "device add printer --mailbox p@x.test --kind psychic");
    CHECK(bad_kind.code == 2);
    auto bad_listen = tern_cli(tmp, "relay --listen nowhere");
    CHECK(bad_listen.code == 2);
}

TEST_CASE("relay refuses an address it cannot listen on, naming it", "[cli]") {
    TempDir tmp;
    auto r = tern_cli(tmp, "--home '" + (tmp / "p").string() + "' relay --listen no-such-host:2525");
    CHECK(r.code == 1);
    CHECK(r.err.find("\"no-such-host\" is not an IP address") != std::string::npos);
    CHECK(r.err.find("[bad-input]") != std::string::npos);
    auto taken = tern_cli(tmp, "--json --home '" + (tmp / "p").string() + "' relay --listen 192.0.2.1:2525");
    CHECK(taken.code == 1);
    CHECK(taken.out.find("\"category\": \"network\"") != std::string::npos);
    CHECK(taken.out.find("cannot listen on 192.0.2.1:2525") != std::string::npos);
}

TEST_CASE("device login, test and refresh refuse what they cannot do before any network", "[cli]") {
    TempDir tmp;
    const auto home = "--home '" + (tmp / "p").string() + "' ";
    auto unknown = tern_cli(tmp, home + "--json device login printer");
    CHECK(unknown.code == 1);
    CHECK(unknown.out.find("\"category\": \"not-found\"") != std::string::npos);
    CHECK(tern_cli(tmp, home + "device add 'Lobby scanner' --mailbox scanner@contoso.example --kind self").code == 0);
    auto self_login = tern_cli(tmp, home + "device login 'Lobby scanner'");
    CHECK(self_login.code == 1);
    CHECK(self_login.err.find("tern-cli device test Lobby scanner") != std::string::npos);
    auto refresh_self = tern_cli(tmp, home + "device refresh 'Lobby scanner'");
    CHECK(refresh_self.code == 1);
    CHECK(refresh_self.err.find("no token here to refresh") != std::string::npos);
    auto nothing_due = tern_cli(tmp, home + "device refresh");
    CHECK(nothing_due.code == 0);
    CHECK(nothing_due.out.find("No device needs a refresh now.") != std::string::npos);
    auto bad_smtp = tern_cli(tmp, home + "device test 'Lobby scanner' --smtp smtp.example:0:starttls");
    CHECK(bad_smtp.code == 2);
}

TEST_CASE("the device registry: add, list, show, delete the token, remove", "[cli]") {
    // A device that signs in itself: nothing of it goes to the keyring (relayed ones: test_cli_devices.py).
    TempDir tmp;
    const auto home = "--home '" + (tmp / "p").string() + "' ";
    auto add = tern_cli(tmp, home + "device add 'Lobby scanner' --mailbox scanner@contoso.example --kind self "
                                    "--address 192.0.2.17 --model 'Epson WF-C579R'");
    CHECK(add.code == 0);
    CHECK(add.out.find("Next: tern-cli device test Lobby scanner") != std::string::npos);
    auto list = tern_cli(tmp, home + "--json device list");
    CHECK(list.code == 0);
    for (const char* field : {"\"name\": \"Lobby scanner\"", "\"mailbox\": \"scanner@contoso.example\"",
                              "\"kind\": \"self\"", "\"token_state\": \"not-acquired\"", "\"last_refresh\": null",
                              "\"last_error\": null"}) {
        INFO(field);
        CHECK(list.out.find(field) != std::string::npos);
    }
    CHECK(list.out.find("relay_user") == std::string::npos);  // only relayed devices have one
    auto show = tern_cli(tmp, home + "device show 'lobby SCANNER'");
    CHECK(show.code == 0);
    CHECK(show.out.find("token:   Not acquired") != std::string::npos);
    CHECK(show.out.find("SMTP AUTH is enabled for the tenant") != std::string::npos);  // the checklist
    auto shown = tern_cli(tmp, home + "--json device show 'Lobby scanner'");
    CHECK(shown.out.find("\"id\": \"certificate\"") != std::string::npos);
    CHECK(tern_cli(tmp, home + "device delete-token 'Lobby scanner'").code == 0);
    auto twice = tern_cli(tmp, home + "device add 'lobby scanner' --mailbox x@contoso.example --kind self");
    CHECK(twice.code == 1);
    CHECK(twice.err.find("already a device") != std::string::npos);
    auto bad = tern_cli(tmp, home + "device add Other --mailbox nobody --kind self");
    CHECK(bad.code == 1);
    CHECK(bad.err.find("[bad-input]") != std::string::npos);
    CHECK(tern_cli(tmp, home + "device remove 'Lobby scanner'").code == 0);
    auto gone = tern_cli(tmp, home + "device show 'Lobby scanner'");
    CHECK(gone.code == 1);
    CHECK(gone.err.find("[not-found]") != std::string::npos);
}

TEST_CASE("mail commands on an empty profile say what to do first", "[cli]") {
    TempDir tmp;
    const auto home = "--home '" + (tmp / "p").string() + "' ";
    auto sync = tern_cli(tmp, home + "sync");
    CHECK(sync.code == 0);
    CHECK(sync.out.find("account add") != std::string::npos);
    auto list = tern_cli(tmp, home + "list nobody@example.test");
    CHECK(list.code == 1);
    CHECK(list.err.find("[not-found]") != std::string::npos);
    CHECK(list.err.find("account add nobody@example.test") != std::string::npos);
    auto outbox = tern_cli(tmp, home + "outbox");
    CHECK(outbox.code == 0);
    CHECK(outbox.out.find("empty") != std::string::npos);
    auto bad_query = tern_cli(tmp, home + "search nobody@example.test 'subject:\"unterminated'");
    CHECK(bad_query.code == 1);
}

TEST_CASE("account list works on an empty profile, with global options before or after the command", "[cli]") {
    TempDir tmp;
    const auto home = (tmp / "profile").string();
    auto r = tern_cli(tmp, "--home '" + home + "' account list");
    CHECK(r.code == 0);
    CHECK(r.out.find("No accounts") != std::string::npos);
    CHECK(std::filesystem::exists(tmp / "profile" / "tern.db"));
    auto json = tern_cli(tmp, "account list --json --home '" + home + "'");
    CHECK(json.code == 0);
    CHECK(json.out == "[]\n");
}

TEST_CASE("TERN_HOME chooses the profile when --home is absent", "[cli]") {
    TempDir tmp;
    const std::string env = "TERN_HOME='" + (tmp / "env-profile").string() + "' ";
    const std::string command = env + "'" + TERN_CLI_PATH + "' account list >/dev/null 2>&1";
    CHECK(std::system(command.c_str()) == 0);
    CHECK(std::filesystem::exists(tmp / "env-profile" / "tern.db"));
}

TEST_CASE("a damaged profile is a clear storage error with exit 1", "[cli]") {
    TempDir tmp;
    std::filesystem::create_directories(tmp / "bad");
    std::ofstream(tmp / "bad" / "tern.db") << "this is not a database, it is a shopping list\n";
    auto r = tern_cli(tmp, "--home '" + (tmp / "bad").string() + "' account list");
    CHECK(r.code == 1);
    CHECK(r.err.find("[storage]") != std::string::npos);
    CHECK(r.err.find("damaged") != std::string::npos);
    CHECK(slurp(tmp / "bad" / "tern.db") == "this is not a database, it is a shopping list\n");
}
