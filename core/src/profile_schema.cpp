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
        {2, "mail store: folders, messages, bodies, attachments, pending operations, search index", R"sql(
CREATE TABLE folders (
  id             INTEGER PRIMARY KEY,
  account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  path           TEXT NOT NULL,
  separator      TEXT NOT NULL DEFAULT '',
  role           TEXT NOT NULL DEFAULT ''
                 CHECK (role IN ('inbox', 'sent', 'drafts', 'trash', 'junk', 'archive', '')),
  uidvalidity    INTEGER NOT NULL DEFAULT 0,
  uidnext        INTEGER NOT NULL DEFAULT 0,
  highest_modseq INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, path)
);

-- uid NULL: a local-only message (a draft not yet appended, a move the server has not confirmed).
-- msgid is the Message-ID header; the other tables' message_id columns are messages.id.
-- date is the Date header, or the server's INTERNALDATE when the header is missing.
CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  folder_id       INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
  uid             INTEGER CHECK (uid IS NULL OR uid > 0),
  modseq          INTEGER NOT NULL DEFAULT 0,
  flags           INTEGER NOT NULL DEFAULT 0,
  internal_date   INTEGER NOT NULL DEFAULT 0,
  size            INTEGER NOT NULL DEFAULT 0,
  msgid           TEXT NOT NULL DEFAULT '',
  in_reply_to     TEXT NOT NULL DEFAULT '',
  subject         TEXT NOT NULL DEFAULT '',
  from_name       TEXT NOT NULL DEFAULT '',
  from_addr       TEXT NOT NULL DEFAULT '',
  to_list         TEXT NOT NULL DEFAULT '',
  cc_list         TEXT NOT NULL DEFAULT '',
  date            INTEGER NOT NULL DEFAULT 0,
  has_attachments INTEGER NOT NULL DEFAULT 0,
  body_state      TEXT NOT NULL DEFAULT 'none' CHECK (body_state IN ('none', 'downloaded')),
  UNIQUE (folder_id, uid)
);
CREATE INDEX messages_by_date ON messages(folder_id, date DESC, id DESC);
CREATE INDEX messages_unread ON messages(folder_id) WHERE (flags & 1) = 0;
CREATE INDEX messages_without_body ON messages(folder_id, internal_date) WHERE body_state = 'none';

CREATE TABLE bodies (
  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  raw        BLOB NOT NULL
);

CREATE TABLE attachments (
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  filename   TEXT NOT NULL DEFAULT '',
  mime_type  TEXT NOT NULL DEFAULT '',
  size       INTEGER NOT NULL DEFAULT 0,
  content_id TEXT NOT NULL DEFAULT '',
  is_inline  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (message_id, position)
) WITHOUT ROWID;

-- The user's changes waiting for the server, oldest first. payload is JSON: flags {"add","remove"},
-- move {"target_folder_id","message"}, append {"message","add"}, delete {}.
CREATE TABLE pending_operations (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  folder_id  INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
  uid        INTEGER,
  kind       TEXT NOT NULL CHECK (kind IN ('flags', 'move', 'delete', 'append')),
  payload    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  created_at INTEGER NOT NULL
);
CREATE INDEX pending_by_account ON pending_operations(account_id, id);
CREATE INDEX pending_by_message ON pending_operations(folder_id, uid);

-- The searchable text of each message, stored once: it is both the text body shown to the reader
-- and the external content of the full-text index, which the triggers keep in step with it (a
-- contentless table cannot delete rows before SQLite 3.43).
CREATE TABLE message_text (
  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  subject    TEXT NOT NULL DEFAULT '',
  sender     TEXT NOT NULL DEFAULT '',
  recipients TEXT NOT NULL DEFAULT '',
  body       TEXT NOT NULL DEFAULT ''
);

CREATE VIRTUAL TABLE message_index USING fts5(
  subject, sender, recipients, body,
  content = 'message_text', content_rowid = 'message_id',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER message_text_ai AFTER INSERT ON message_text BEGIN
  INSERT INTO message_index(rowid, subject, sender, recipients, body)
  VALUES (new.message_id, new.subject, new.sender, new.recipients, new.body);
END;
CREATE TRIGGER message_text_ad AFTER DELETE ON message_text BEGIN
  INSERT INTO message_index(message_index, rowid, subject, sender, recipients, body)
  VALUES ('delete', old.message_id, old.subject, old.sender, old.recipients, old.body);
END;
CREATE TRIGGER message_text_au AFTER UPDATE ON message_text BEGIN
  INSERT INTO message_index(message_index, rowid, subject, sender, recipients, body)
  VALUES ('delete', old.message_id, old.subject, old.sender, old.recipients, old.body);
  INSERT INTO message_index(rowid, subject, sender, recipients, body)
  VALUES (new.message_id, new.subject, new.sender, new.recipients, new.body);
END;
)sql"},
        {3, "outbox", R"sql(
-- Messages on their way out. A row is committed (synchronous=FULL: fsynced) before anyone is told
-- "queued", and deleted only when the server accepted it and the Sent copy exists.
CREATE TABLE outbox (
  id                  INTEGER PRIMARY KEY,
  account_id          INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  state               TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'accepted', 'failed')),
  envelope_from       TEXT NOT NULL,
  recipients          TEXT NOT NULL,  -- JSON array of addresses
  subject             TEXT NOT NULL DEFAULT '',
  message             BLOB NOT NULL,
  created_at          INTEGER NOT NULL,
  next_attempt_at     INTEGER NOT NULL DEFAULT 0,
  attempts            INTEGER NOT NULL DEFAULT 0,
  last_error          TEXT NOT NULL DEFAULT '',
  last_error_category TEXT NOT NULL DEFAULT '',
  server_reply        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(account_id, state, next_attempt_at);
)sql"},
        {4, "POP3 UIDL tracking", R"sql(
-- Every message a POP3 server listed, by its UIDL, with the local uid it has in the account's INBOX
-- folder (messages.uid): POP3 has no integer UIDs. downloaded_at is NULL while the message is on
-- its way into the store (uid reserved, message not yet committed): the next download stores it
-- again under the same uid. A row outlives the message on the server, so that it is never
-- downloaded twice; deleted_on_server = 1 once the server no longer has it (Tern deleted it, or
-- someone else did).
CREATE TABLE pop3_uidls (
  account_id        INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  uidl              TEXT NOT NULL,
  uid               INTEGER NOT NULL CHECK (uid > 0),
  downloaded_at     INTEGER,
  deleted_on_server INTEGER NOT NULL DEFAULT 0 CHECK (deleted_on_server IN (0, 1)),
  PRIMARY KEY (account_id, uidl)
) WITHOUT ROWID;
CREATE UNIQUE INDEX pop3_uidls_by_uid ON pop3_uidls(account_id, uid);
)sql"},
        {5, "OAuth fallback: failures of the identity platform in a row", R"sql(
-- Unreachable / server_error answers of the identity platform in a row (FallbackPolicy): kept
-- across runs, so that "fails repeatedly" means the same whether Tern runs for days or a script
-- runs tern-cli every few minutes.
ALTER TABLE accounts ADD COLUMN oauth_transient_failures INTEGER NOT NULL DEFAULT 0
  CHECK (oauth_transient_failures >= 0);
)sql"},
        {6, "per-account settings: body downloads, POP3, pinned certificates", R"sql(
-- Which bodies a sync downloads (all / those of the last body_recent_days days / on demand) and
-- what a POP3 download leaves on the server.
ALTER TABLE accounts ADD COLUMN body_policy TEXT NOT NULL DEFAULT 'all'
  CHECK (body_policy IN ('all', 'recent', 'on-demand'));
ALTER TABLE accounts ADD COLUMN body_recent_days INTEGER NOT NULL DEFAULT 30
  CHECK (body_recent_days BETWEEN 1 AND 36500);
ALTER TABLE accounts ADD COLUMN pop3_leave_on_server INTEGER NOT NULL DEFAULT 1
  CHECK (pop3_leave_on_server IN (0, 1));
ALTER TABLE accounts ADD COLUMN pop3_delete_after_days INTEGER NOT NULL DEFAULT 0
  CHECK (pop3_delete_after_days BETWEEN 0 AND 36500);

-- Certificates the person trusted for one server of one account (a self-signed or private-CA
-- certificate), by SHA-256 fingerprint: the explicit exception of DESIGN §2, never a blanket one.
CREATE TABLE certificate_pins (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  host       TEXT NOT NULL CHECK (host <> ''),
  port       INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  sha256     TEXT NOT NULL CHECK (length(sha256) = 95),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, host, port, sha256)
) WITHOUT ROWID;
)sql"},
        {7, "device companion: the registry of printers and scanners", R"sql(
-- Printers and scanners that send mail (DESIGN §5). kind 'self': the device signs in to Exchange
-- Online itself and Tern only checks and explains; 'relayed': Tern signs the device's mailbox in and
-- relays its mail. Secrets (the device mailbox's refresh token, the relay password) are in the
-- credential store, never here.
CREATE TABLE devices (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (name <> ''),
  model         TEXT NOT NULL DEFAULT '',
  address       TEXT NOT NULL DEFAULT '',
  mailbox       TEXT NOT NULL CHECK (instr(mailbox, '@') > 1),
  kind          TEXT NOT NULL CHECK (kind IN ('self', 'relayed')),
  token_state   TEXT NOT NULL DEFAULT 'not-acquired'
                CHECK (token_state IN ('not-acquired', 'waiting-for-authorization', 'acquired', 'invalid')),
  token_reason  TEXT,
  relay_user    TEXT UNIQUE,
  last_refresh  INTEGER,
  last_error    TEXT,
  last_error_at INTEGER,
  spooled       INTEGER NOT NULL DEFAULT 0 CHECK (spooled >= 0),
  delivered     INTEGER NOT NULL DEFAULT 0 CHECK (delivered >= 0),
  failed        INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
  created_at    INTEGER NOT NULL,
  CHECK ((kind = 'relayed') = (relay_user IS NOT NULL))
);
)sql"},
        {8, "search: a small full-text index over the header fields", R"sql(
-- The subject, sender and recipients of message_text again, in an index of their own: from:, to:
-- and subject: read it instead of the whole index (whose position lists also carry every body,
-- decoded only to be filtered out by column). Same tokenizer, same rowids; the triggers keep it in
-- step with message_text as message_index's do, and it is filled from message_text here.
CREATE VIRTUAL TABLE message_header_index USING fts5(
  subject, sender, recipients,
  content = 'message_text', content_rowid = 'message_id',
  tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO message_header_index(message_header_index) VALUES ('rebuild');

CREATE TRIGGER message_text_header_ai AFTER INSERT ON message_text BEGIN
  INSERT INTO message_header_index(rowid, subject, sender, recipients)
  VALUES (new.message_id, new.subject, new.sender, new.recipients);
END;
CREATE TRIGGER message_text_header_ad AFTER DELETE ON message_text BEGIN
  INSERT INTO message_header_index(message_header_index, rowid, subject, sender, recipients)
  VALUES ('delete', old.message_id, old.subject, old.sender, old.recipients);
END;
-- A body arriving rewrites the row with the same header fields: nothing to do here then.
CREATE TRIGGER message_text_header_au AFTER UPDATE ON message_text
WHEN old.message_id IS NOT new.message_id OR old.subject IS NOT new.subject
  OR old.sender IS NOT new.sender OR old.recipients IS NOT new.recipients BEGIN
  INSERT INTO message_header_index(message_header_index, rowid, subject, sender, recipients)
  VALUES ('delete', old.message_id, old.subject, old.sender, old.recipients);
  INSERT INTO message_header_index(rowid, subject, sender, recipients)
  VALUES (new.message_id, new.subject, new.sender, new.recipients);
END;
)sql"},
        {9, "drafts: what the composer holds until it is sent", R"sql(
-- A composer's unsent content (recipients, subject, text, file paths, the thread it answers) as
-- JSON, written every few seconds and on close; removed in the transaction that queues it in the
-- outbox. No secrets.
CREATE TABLE drafts (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  fields     TEXT NOT NULL CHECK (json_valid(fields)),
  updated_at INTEGER NOT NULL
);
CREATE INDEX drafts_by_account ON drafts(account_id, updated_at DESC);
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
