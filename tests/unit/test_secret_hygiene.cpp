// Writes secrets through every path that reaches the log or the profile, then greps every file of
// the profile for them. A secret found anywhere fails the test.
#include "temp_dir.hpp"
#include "tern/accounts/account_repository.hpp"
#include "tern/auth/memory_credential_store.hpp"
#include "tern/core/base64.hpp"
#include "tern/core/error.hpp"
#include "tern/core/logging.hpp"
#include "tern/core/profile.hpp"
#include "tern/core/secret.hpp"

#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iterator>

using namespace tern;
using tern::test::TempDir;

namespace {

std::string everything_under(const std::filesystem::path& dir) {
    std::string all;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        all.append(std::istreambuf_iterator<char>(in), {});
    }
    return all;
}

std::string base64(const std::string& in) { return tern::base64_encode(in); }

}  // namespace

TEST_CASE("no secret reaches the log or the database, whatever path it takes", "[secrets]") {
    TempDir tmp;
    const std::string password = "Pw-for-alice-7731";
    const std::string refresh_token = "M.C105_BAY.0.U.-CrefreshTOKENvalue!";
    const std::string access_token = "EwBwA8l6BAAUaccessTOKENvalue0042";
    const std::string unremembered_token = "opaque-ACCESS-token-not-remembered-9";
    const std::string auth_code = "M.R3_BAY.authCODE-5521";
    const std::string pop_password = "pop-PASSWORD-not-remembered";
    const std::string xoauth2 = base64("user=alice@example.test\x01" "auth=Bearer " + unremembered_token + "\x01\x01");
    const std::string plain = base64(std::string("\0alice@example.test\0", 20) + "plain-PASSWORD-3");

    LoggingOptions logging;
    logging.directory = tmp / "logs";
    logging.max_file_bytes = 4096;  // rotate during the test, so rotated files are checked too
    logging.max_files = 2;
    init_logging(logging);
    {
        auto profile = Profile::open(tmp.path());
        // Secrets the program holds: remembered by the redaction layer when they become Secrets.
        Secret pw{std::string(password)}, rt{std::string(refresh_token)}, at{std::string(access_token)};

        auth::MemoryCredentialStore store;
        store.store({profile.id(), "alice@example.test", "password"}, pw);
        store.store({profile.id(), "alice@example.test", "refresh-token"}, rt);

        accounts::Account account;
        account.email = "alice@example.test";
        account.provider = "outlook";
        account.mode = accounts::AccountMode::OAuth;
        accounts::AccountRepository(profile.db()).add(account);

        for (int round = 0; round < 20; ++round) {
            spdlog::info("marker {} signing in alice@example.test with {}", round, pw.reveal());
            spdlog::debug("refresh token {}", rt.reveal());
            spdlog::warn("access token {} expires soon", at.reveal());
            spdlog::info("POST /token Authorization: Bearer {}", unremembered_token);
            spdlog::info("C: a1 AUTHENTICATE XOAUTH2 {}", xoauth2);
            spdlog::info("C: {}", xoauth2);
            spdlog::info("C: AUTH PLAIN {}", plain);
            spdlog::info("C: a2 LOGIN alice@example.test \"{}\"", password);
            spdlog::info("C: PASS {}", pop_password);
            spdlog::info(R"(token response {{"access_token":"{}","refresh_token":"{}"}})", unremembered_token,
                         "rt-not-remembered-XYZ");
            spdlog::info("form grant_type=authorization_code&code={}&code_verifier=verifierVALUE123", auth_code);
            spdlog::info("redirect http://127.0.0.1:5000/?code={}&state=abc", auth_code);
            spdlog::error("{}", Error(ErrorCategory::AuthRejected, "refused",
                                      "server said: Bearer " + unremembered_token)
                                    .log_line());
        }
        shutdown_logging();
    }

    const auto all = everything_under(tmp.path());
    const auto log = everything_under(tmp / "logs");
    REQUIRE(log.find("marker 19 signing in alice@example.test") != std::string::npos);  // the log was written
    REQUIRE(std::distance(std::filesystem::directory_iterator(tmp / "logs"), {}) > 1);  // and rotated
    CHECK(all.find("alice@example.test") != std::string::npos);  // the database was written too

    for (const auto& secret : {password, refresh_token, access_token, unremembered_token, auth_code, pop_password,
                               xoauth2, plain, std::string("rt-not-remembered-XYZ"),
                               std::string("verifierVALUE123")}) {
        INFO("secret: " << secret);
        CHECK(all.find(secret) == std::string::npos);
    }
}
