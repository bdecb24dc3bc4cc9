#include "tern/core/profile.hpp"

#include "tern/core/error.hpp"
#include "tern/core/profile_schema.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <string_view>
#include <system_error>

namespace tern {
namespace {

// The 16 bytes every SQLite 3 database starts with, the terminating NUL included.
constexpr std::string_view sqlite_header{"SQLite format 3\0", 16};

[[noreturn]] void refuse(const std::filesystem::path& file, const std::string& why, const std::string& detail) {
    throw Error(ErrorCategory::Storage,
                "The profile database " + file.string() + " " + why +
                    " Tern did not change it. Move it aside to start a new profile, restore it from a "
                    "backup, or use another profile with --home.",
                detail);
}

// Check the file before SQLite touches it: SQLite would happily treat a zero-length or foreign
// file as its own, and setting WAL mode writes to the header.
void check_existing_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) refuse(file, "cannot be read.", "open for reading failed");
    std::array<char, 16> header{};
    in.read(header.data(), header.size());
    if (in.gcount() == 0) return;  // empty file: SQLite treats it as a new database
    if (in.gcount() < 16 || std::string_view(header.data(), header.size()) != sqlite_header)
        refuse(file, "is damaged or is not a Tern profile.", "no SQLite header");
}

std::string random_id() {
    std::random_device device;
    std::array<unsigned, 4> words{device(), device(), device(), device()};
    char text[33];
    std::snprintf(text, sizeof text, "%08x%08x%08x%08x", words[0], words[1], words[2], words[3]);
    return text;
}

void restrict_to_owner(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
    if (ec) spdlog::warn("could not restrict {} to its owner: {}", dir.string(), ec.message());
}

}  // namespace

Profile::Profile(std::filesystem::path dir, Database db) : dir_(std::move(dir)), db_(std::move(db)) {}

Profile Profile::open(const std::filesystem::path& dir) {
    std::error_code ec;
    const bool created_dir = !std::filesystem::exists(dir, ec);
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw Error(ErrorCategory::Storage,
                    "Tern cannot create its profile folder " + dir.string() +
                        ". Check the permissions of its parent folder, or pass --home with another folder.",
                    ec.message());
    if (created_dir) restrict_to_owner(dir);

    const auto file = dir / "tern.db";
    const bool existed = std::filesystem::exists(file, ec);
    if (existed) check_existing_file(file);

    Database db(file, existed ? Database::Mode::ReadWrite : Database::Mode::ReadWriteCreate);
    // Before the first read: a connection opened while another rebuilds the write-ahead log's
    // index (the desktop app's workers open the profile at the same moment) waits for it instead
    // of failing, and would otherwise be refused below as damaged.
    db.exec("PRAGMA busy_timeout = 5000");
    std::int64_t version = 0;
    std::int64_t application_id = 0;
    try {
        version = db.query_int("PRAGMA user_version");
        application_id = db.query_int("PRAGMA application_id");
    } catch (const Error& e) {
        refuse(file, "is damaged or is not a Tern profile.", e.detail());
    }
    if (version > 0 && application_id != profile_application_id)
        refuse(file, "belongs to another program (it is not a Tern profile).",
               "application_id " + std::to_string(application_id));
    if (version > current_schema_version())
        throw Error(ErrorCategory::Storage,
                    "This profile was written by a newer version of Tern (profile version " +
                        std::to_string(version) + ", this Tern knows up to " +
                        std::to_string(current_schema_version()) +
                        "). Update Tern, or use another profile with --home. The profile was not changed.",
                    file.string());

    Profile profile(dir, std::move(db));
    Database& d = profile.db_;
    if (d.query_text("PRAGMA journal_mode = WAL") != "wal")
        refuse(file, "cannot use write-ahead logging on this file system.", "journal_mode");
    d.exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;");

    if (version > 0 && version < current_schema_version()) {
        // A copy of the old profile before changing its schema, so a bad migration loses nothing.
        auto backup = dir / ("tern.db.v" + std::to_string(version) + ".bak");
        std::filesystem::remove(backup, ec);
        auto st = d.prepare("VACUUM INTO ?1");
        st.bind(1, backup.string()).run();
        profile.migration_backup_ = backup;
        spdlog::info("profile {}: backed up version {} to {}", dir.string(), version, backup.string());
    }
    migrate(d, profile_migrations());

    auto select_id = d.prepare("SELECT value FROM settings WHERE key = 'profile_id'");
    if (select_id.step()) {
        profile.id_ = select_id.column_text(0);
    } else {
        profile.id_ = random_id();
        d.prepare("INSERT INTO settings(key, value) VALUES ('profile_id', ?1)").bind(1, profile.id_).run();
    }
    return profile;
}

}  // namespace tern
