// A profile: one folder with one SQLite database (tern.db), its logs and its spools. Opening one
// creates it when missing, migrates it forward from any earlier version (after a backup copy), and
// refuses — without writing anything — a database that is damaged, not Tern's, or from a newer Tern.
#pragma once

#include "tern/core/database.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace tern {

class Profile {
public:
    // Throws tern::Error (Storage) with a message that says what is wrong and what to do.
    static Profile open(const std::filesystem::path& dir);

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path database_file() const { return dir_ / "tern.db"; }
    std::filesystem::path log_dir() const { return dir_ / "logs"; }
    // Random, made when the profile is created; keeps this profile's secrets apart in the keyring.
    const std::string& id() const { return id_; }
    Database& db() { return db_; }

    // The backup taken before the last migration, if one was needed.
    const std::optional<std::filesystem::path>& migration_backup() const { return migration_backup_; }

private:
    Profile(std::filesystem::path dir, Database db);
    std::filesystem::path dir_;
    Database db_;
    std::string id_;
    std::optional<std::filesystem::path> migration_backup_;
};

}  // namespace tern
