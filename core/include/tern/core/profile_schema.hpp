// The profile database's schema as an ordered list of forward migrations, and the code that
// brings a database from any earlier version up to the newest in one transaction.
#pragma once

#include "tern/core/database.hpp"

#include <cstdint>
#include <vector>

namespace tern {

struct Migration {
    int version;              // the user_version after this migration; 1, 2, 3, ... without gaps
    const char* description;
    const char* sql;
};

// Marks the file as a Tern profile (PRAGMA application_id), so another program's SQLite file is
// never mistaken for one. "TERN" in ASCII.
inline constexpr std::int32_t profile_application_id = 0x5445524E;

const std::vector<Migration>& profile_migrations();
int current_schema_version();

// Apply every migration newer than the database's user_version, all in one transaction, then set
// user_version. Throws tern::Error (Storage) when the database is newer than `migrations` knows,
// or when the list has gaps; on failure nothing is changed.
void migrate(Database& db, const std::vector<Migration>& migrations);

}  // namespace tern
