#include "tern/core/database.hpp"

#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <utility>

namespace tern {
namespace {

std::string describe_sqlite(int code) {
    switch (code & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return "is damaged or is not a Tern database";
    case SQLITE_FULL:
        return "cannot grow because the disk is full";
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
        return "cannot be opened for writing (check the folder's permissions)";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "is busy in another program (is another Tern running on the same profile?)";
    case SQLITE_IOERR:
        return "could not be read or written (disk error)";
    case SQLITE_CONSTRAINT:
        return "refused a change that would break its rules";
    default:
        return "reported an error";
    }
}

}  // namespace

Database::Database(const std::filesystem::path& file, Mode mode) : file_(file) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
    if (mode == Mode::ReadWriteCreate) flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(file.string().c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error(ErrorCategory::Storage,
                    "The database " + file.string() + " " + describe_sqlite(rc) + ".", "open: " + detail);
    }
    sqlite3_extended_result_codes(db_, 1);
}

Database::Database(Database&& other) noexcept
    : file_(std::move(other.file_)), db_(std::exchange(other.db_, nullptr)) {}

Database::~Database() {
    if (db_) sqlite3_close_v2(db_);
}

void Database::fail(int code, std::string_view context) const {
    std::string detail = std::string(context) + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code)) +
                         " (sqlite " + std::to_string(code) + ")";
    throw Error(ErrorCategory::Storage, "The database " + file_.string() + " " + describe_sqlite(code) + ".",
                detail);
}

void Database::exec(std::string_view sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        sqlite3_free(message);
        fail(rc, "exec");
    }
}

std::int64_t Database::query_int(std::string_view sql) {
    Statement st(*this, sql);
    if (!st.step()) fail(SQLITE_ERROR, "query returned no row");
    return st.column_int(0);
}

std::string Database::query_text(std::string_view sql) {
    Statement st(*this, sql);
    if (!st.step()) fail(SQLITE_ERROR, "query returned no row");
    return st.column_text(0);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Statement::Statement(Database& db, std::string_view sql) : db_(db) {
    int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) db_.fail(rc, "prepare");
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement::~Statement() {
    if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) db_.fail(rc, "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    // An empty view may have no data pointer, and SQLite binds a null pointer as NULL, not ''.
    int rc = sqlite3_bind_text(stmt_, index, value.data() ? value.data() : "", static_cast<int>(value.size()),
                               SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_.fail(rc, "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) db_.fail(rc, "bind");
    return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
    return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.fail(rc, "step");
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::column_text(int index) const {
    const unsigned char* text = sqlite3_column_text(stmt_, index);
    if (!text) return {};
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)));
}

bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

std::optional<std::int64_t> Statement::column_optional_int(int index) const {
    if (column_is_null(index)) return std::nullopt;
    return column_int(index);
}

std::optional<std::string> Statement::column_optional_text(int index) const {
    if (column_is_null(index)) return std::nullopt;
    return column_text(index);
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (done_) return;
    char* message = nullptr;
    if (sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, &message) != SQLITE_OK)
        spdlog::error("rollback failed on {}: {}", db_.file().string(), message ? message : "?");
    sqlite3_free(message);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace tern
