#include "tern/core/profile_schema.hpp"

#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>

#include <string>

namespace tern {

// Append only. A released migration is never edited: add a new one instead.
// Secrets never get a column here: they live in the CredentialStore.
const std::vector<Migration>& profile_migrations() {
    static const std::vector<Migration> list{
        {1, "settings, accounts and their servers", R"sql(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE accounts (
  id                 INTEGER PRIMARY KEY,
  email              TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name       TEXT NOT NULL DEFAULT '',
  provider           TEXT NOT NULL,
  mode               TEXT NOT NULL CHECK (mode IN ('oauth', 'password-fallback', 'password')),
  client_id          TEXT NOT NULL DEFAULT '',
  tenant             TEXT NOT NULL DEFAULT '',
  fallback_reason    TEXT,
  fallback_since     INTEGER,
  last_oauth_attempt INTEGER,
  created_at         INTEGER NOT NULL
);

CREATE TABLE account_servers (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL CHECK (purpose IN ('primary', 'fallback')),
  protocol   TEXT NOT NULL CHECK (protocol IN ('imap', 'pop3', 'smtp')),
  host       TEXT NOT NULL CHECK (host <> ''),
  port       INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  tls        TEXT NOT NULL CHECK (tls IN ('ssl', 'starttls', 'none')),
  username   TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (account_id, purpose, protocol)
) WITHOUT ROWID;
)sql"},
    };
    return list;
}

int current_schema_version() { return profile_migrations().back().version; }

void migrate(Database& db, const std::vector<Migration>& migrations) {
    for (std::size_t i = 0; i < migrations.size(); ++i)
        if (migrations[i].version != static_cast<int>(i) + 1)
            throw Error(ErrorCategory::Internal, {}, "migration list has a gap at index " + std::to_string(i));
    const int newest = migrations.empty() ? 0 : migrations.back().version;

    Transaction tx(db);
    // Read inside the transaction: another process cannot migrate between the check and the work.
    const auto from = static_cast<int>(db.query_int("PRAGMA user_version"));
    if (from > newest)
        throw Error(ErrorCategory::Storage,
                    "This profile was written by a newer version of Tern (profile version " +
                        std::to_string(from) + ", this Tern knows up to " + std::to_string(newest) +
                        "). Update Tern, or use another profile with --home. The profile was not changed.",
                    db.file().string());
    if (from == newest) return;  // the transaction rolls back: nothing was written

    for (const auto& m : migrations) {
        if (m.version <= from) continue;
        spdlog::info("profile {}: migrating to version {} ({})", db.file().string(), m.version, m.description);
        db.exec(m.sql);
    }
    db.exec("PRAGMA application_id = " + std::to_string(profile_application_id));
    db.exec("PRAGMA user_version = " + std::to_string(newest));
    tx.commit();
}

}  // namespace tern
