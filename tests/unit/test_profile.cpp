#include "temp_dir.hpp"
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"
#include "tern/core/profile_schema.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

using namespace tern;
using tern::test::TempDir;

namespace {

std::string read_bytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A database at schema version `version` built with the first `version` real migrations.
void make_database_at(const std::filesystem::path& file, int version) {
    Database db(file, Database::Mode::ReadWriteCreate);
    std::vector<Migration> first(profile_migrations().begin(), profile_migrations().begin() + version);
    if (version > 0) migrate(db, first);
}

ErrorCategory open_error_category(const std::filesystem::path& dir, std::string& message) {
    try {
        Profile::open(dir);
    } catch (const Error& e) {
        message = e.message();
        return e.category();
    }
    FAIL("the profile opened");
    return ErrorCategory::Internal;
}

}  // namespace

TEST_CASE("a new profile is created with WAL, foreign keys, the newest schema and an id", "[profile]") {
    TempDir tmp;
    auto profile = Profile::open(tmp / "p");
    CHECK(std::filesystem::exists(tmp / "p" / "tern.db"));
    CHECK(profile.db().query_text("PRAGMA journal_mode") == "wal");
    CHECK(profile.db().query_int("PRAGMA foreign_keys") == 1);
    CHECK(profile.db().query_int("PRAGMA user_version") == current_schema_version());
    CHECK(profile.db().query_int("PRAGMA application_id") == profile_application_id);
    CHECK(profile.id().size() == 32);
    CHECK_FALSE(profile.migration_backup().has_value());
#ifndef _WIN32
    CHECK((std::filesystem::status(tmp / "p").permissions() & std::filesystem::perms::others_all) ==
          std::filesystem::perms::none);
#endif
}

TEST_CASE("reopening a profile keeps its id and data", "[profile]") {
    TempDir tmp;
    std::string id;
    {
        auto p = Profile::open(tmp.path());
        id = p.id();
        p.db().exec("INSERT INTO settings(key, value) VALUES ('k', 'v')");
    }
    auto p = Profile::open(tmp.path());
    CHECK(p.id() == id);
    CHECK(p.db().query_text("SELECT value FROM settings WHERE key = 'k'") == "v");
}

TEST_CASE("two profiles get different ids", "[profile]") {
    TempDir tmp;
    CHECK(Profile::open(tmp / "a").id() != Profile::open(tmp / "b").id());
}

TEST_CASE("foreign keys are enforced: servers go with their account", "[profile]") {
    TempDir tmp;
    auto p = Profile::open(tmp.path());
    auto& db = p.db();
    db.exec("INSERT INTO accounts(email, provider, mode, created_at) VALUES ('a@x.test', 'custom', 'password', 1)");
    db.exec("INSERT INTO account_servers(account_id, purpose, protocol, host, port, tls) "
            "VALUES (1, 'primary', 'imap', 'h', 993, 'ssl')");
    CHECK_THROWS_AS(db.exec("INSERT INTO account_servers(account_id, purpose, protocol, host, port, tls) "
                            "VALUES (99, 'primary', 'imap', 'h', 993, 'ssl')"),
                    Error);
    db.exec("DELETE FROM accounts WHERE id = 1");
    CHECK(db.query_int("SELECT count(*) FROM account_servers") == 0);
}

TEST_CASE("the real schema migrates forward from every earlier version", "[profile][migrations]") {
    for (int from = 0; from < current_schema_version(); ++from) {
        DYNAMIC_SECTION("from version " << from) {
            TempDir tmp;
            make_database_at(tmp / "tern.db", from);
            auto p = Profile::open(tmp.path());
            CHECK(p.db().query_int("PRAGMA user_version") == current_schema_version());
            CHECK(p.db().query_int("SELECT count(*) FROM sqlite_master WHERE name = 'accounts'") == 1);
            if (from > 0) {
                REQUIRE(p.migration_backup().has_value());
                Database backup(*p.migration_backup(), Database::Mode::ReadWrite);
                CHECK(backup.query_int("PRAGMA user_version") == from);
            }
        }
    }
}

TEST_CASE("migrate applies only the newer steps, in order, in one transaction", "[migrations]") {
    const std::vector<Migration> steps{
        {1, "one", "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1);"},
        {2, "two", "INSERT INTO t VALUES (2);"},
        {3, "three", "INSERT INTO t VALUES (3);"},
    };
    for (int from = 0; from <= 3; ++from) {
        DYNAMIC_SECTION("from " << from) {
            TempDir tmp;
            Database db(tmp / "m.db", Database::Mode::ReadWriteCreate);
            if (from > 0) migrate(db, std::vector<Migration>(steps.begin(), steps.begin() + from));
            migrate(db, steps);
            CHECK(db.query_int("PRAGMA user_version") == 3);
            CHECK(db.query_int("SELECT count(*) FROM t") == 3);
            CHECK(db.query_int("SELECT sum(x) FROM t") == 6);
        }
    }
}

TEST_CASE("a failing migration leaves the database as it was", "[migrations]") {
    TempDir tmp;
    Database db(tmp / "m.db", Database::Mode::ReadWriteCreate);
    const std::vector<Migration> good{{1, "one", "CREATE TABLE t(x INTEGER);"}};
    migrate(db, good);
    auto bad = good;
    bad.push_back({2, "adds a column", "ALTER TABLE t ADD COLUMN y INTEGER;"});
    bad.push_back({3, "broken", "THIS IS NOT SQL;"});
    CHECK_THROWS_AS(migrate(db, bad), Error);
    CHECK(db.query_int("PRAGMA user_version") == 1);
    CHECK(db.query_int("SELECT count(*) FROM pragma_table_info('t') WHERE name = 'y'") == 0);
}

TEST_CASE("a profile from a newer Tern is refused and left untouched", "[profile]") {
    TempDir tmp;
    {
        auto p = Profile::open(tmp.path());
        p.db().exec("PRAGMA user_version = " + std::to_string(current_schema_version() + 5));
    }
    const auto before = read_bytes(tmp / "tern.db");
    std::string message;
    CHECK(open_error_category(tmp.path(), message) == ErrorCategory::Storage);
    CHECK(message.find("newer version of Tern") != std::string::npos);
    CHECK(read_bytes(tmp / "tern.db") == before);
}

TEST_CASE("a damaged profile is refused and never overwritten", "[profile]") {
    TempDir tmp;
    std::string garbage(8192, '\0');
    for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919) % 251);
    std::ofstream(tmp / "tern.db", std::ios::binary) << garbage;
    std::string message;
    CHECK(open_error_category(tmp.path(), message) == ErrorCategory::Storage);
    CHECK(message.find("damaged") != std::string::npos);
    CHECK(message.find("did not change it") != std::string::npos);
    CHECK(read_bytes(tmp / "tern.db") == garbage);
}

TEST_CASE("a truncated SQLite file is refused", "[profile]") {
    TempDir tmp;
    { auto p = Profile::open(tmp / "src"); }
    auto bytes = read_bytes(tmp / "src" / "tern.db");
    std::filesystem::create_directories(tmp / "t");
    std::ofstream(tmp / "t" / "tern.db", std::ios::binary) << bytes.substr(0, 100);
    std::string message;
    CHECK(open_error_category(tmp / "t", message) == ErrorCategory::Storage);
    CHECK(read_bytes(tmp / "t" / "tern.db") == bytes.substr(0, 100));
}

TEST_CASE("another program's SQLite database is not taken for a profile", "[profile]") {
    TempDir tmp;
    {
        Database other(tmp / "tern.db", Database::Mode::ReadWriteCreate);
        other.exec("CREATE TABLE notes(x); PRAGMA user_version = 1;");
    }
    const auto before = read_bytes(tmp / "tern.db");
    std::string message;
    CHECK(open_error_category(tmp.path(), message) == ErrorCategory::Storage);
    CHECK(message.find("not a Tern profile") != std::string::npos);
    CHECK(read_bytes(tmp / "tern.db") == before);
}

TEST_CASE("no table of the profile has a column for secrets", "[profile][secrets]") {
    TempDir tmp;
    auto p = Profile::open(tmp.path());
    auto tables = p.db().prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
    int columns = 0;
    while (tables.step()) {
        auto info = p.db().prepare("SELECT name FROM pragma_table_info(?1)");
        info.bind(1, tables.column_text(0));
        while (info.step()) {
            const auto column = info.column_text(0);
            ++columns;
            INFO(tables.column_text(0) << "." << column);
            CHECK(column.find("password") == std::string::npos);
            CHECK(column.find("secret") == std::string::npos);
            CHECK(column != "token");
            CHECK_FALSE((column.size() > 6 && column.compare(column.size() - 6, 6, "_token") == 0));
        }
    }
    CHECK(columns > 10);
}

TEST_CASE("an empty string binds as '' and not as NULL, whatever its data pointer", "[database]") {
    TempDir tmp;
    auto p = Profile::open(tmp.path());
    auto& db = p.db();
    db.exec("CREATE TABLE t (v TEXT)");
    db.prepare("INSERT INTO t VALUES (?1)").bind(1, std::string_view()).run();  // data() is null
    db.prepare("INSERT INTO t VALUES (?1)").bind(1, std::string_view("", 0)).run();
    CHECK(db.query_int("SELECT count(*) FROM t WHERE v = ''") == 2);
    CHECK(db.query_int("SELECT count(*) FROM t WHERE v IS NULL") == 0);
}
