#include "tern/accounts/account_repository.hpp"

#include "tern/core/error.hpp"
#include "tern/mail/tls_trust.hpp"

#include <chrono>

namespace tern::accounts {
namespace {

constexpr const char* account_columns =
    "id, email, display_name, provider, mode, client_id, tenant, fallback_reason, fallback_since, "
    "last_oauth_attempt, created_at, oauth_transient_failures, body_policy, body_recent_days, pop3_leave_on_server, "
    "pop3_delete_after_days";

Account read_account(const Statement& st) {
    Account a;
    a.id = st.column_int(0);
    a.email = st.column_text(1);
    a.display_name = st.column_text(2);
    a.provider = st.column_text(3);
    auto mode = mode_from_string(st.column_text(4));
    if (!mode) throw Error(ErrorCategory::Storage, {}, "unknown account mode " + st.column_text(4));
    a.mode = *mode;
    a.client_id = st.column_text(5);
    a.tenant = st.column_text(6);
    a.fallback_reason = st.column_optional_text(7);
    a.fallback_since = st.column_optional_int(8);
    a.last_oauth_attempt = st.column_optional_int(9);
    a.created_at = st.column_int(10);
    a.oauth_transient_failures = static_cast<int>(st.column_int(11));
    const auto bodies = body_policy_from_string(st.column_text(12));
    if (!bodies) throw Error(ErrorCategory::Storage, {}, "unknown body policy " + st.column_text(12));
    a.settings.bodies = *bodies;
    a.settings.recent_days = static_cast<int>(st.column_int(13));
    a.settings.pop3_leave_on_server = st.column_int(14) != 0;
    a.settings.pop3_delete_after_days = static_cast<int>(st.column_int(15));
    return a;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::int64_t AccountRepository::add(const Account& account) {
    if (account.email.find('@') == std::string::npos)
        throw Error(ErrorCategory::BadInput, "\"" + account.email + "\" is not an email address.");
    if (find(account.email))
        throw Error(ErrorCategory::BadInput, "There is already an account for " + account.email + ".");

    Transaction tx(db_);
    db_.prepare("INSERT INTO accounts(email, display_name, provider, mode, client_id, tenant, fallback_reason, "
                "fallback_since, last_oauth_attempt, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
        .bind(1, account.email)
        .bind(2, account.display_name)
        .bind(3, account.provider)
        .bind(4, to_string(account.mode))
        .bind(5, account.client_id)
        .bind(6, account.tenant)
        .bind(7, account.fallback_reason)
        .bind(8, account.fallback_since)
        .bind(9, account.last_oauth_attempt)
        .bind(10, account.created_at ? account.created_at : now_seconds())
        .run();
    const auto id = db_.last_insert_rowid();
    write_settings(id, account);
    insert_servers(id, "primary", account.servers);
    insert_servers(id, "fallback", account.fallback_servers);
    tx.commit();
    return id;
}

void AccountRepository::write_settings(std::int64_t id, const Account& account) {
    const auto& s = account.settings;
    auto st = db_.prepare(
        "UPDATE accounts SET client_id = ?2, tenant = ?3, body_policy = ?4, body_recent_days = ?5, "
        "pop3_leave_on_server = ?6, pop3_delete_after_days = ?7 WHERE id = ?1");
    st.bind(1, id).bind(2, account.client_id).bind(3, account.tenant).bind(4, to_string(s.bodies));
    st.bind(5, static_cast<std::int64_t>(s.recent_days)).bind(6, static_cast<std::int64_t>(s.pop3_leave_on_server));
    st.bind(7, static_cast<std::int64_t>(s.pop3_delete_after_days)).run();
    db_.prepare("DELETE FROM certificate_pins WHERE account_id = ?1").bind(1, id).run();
    auto pin = db_.prepare(
        "INSERT OR IGNORE INTO certificate_pins(account_id, host, port, sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (const auto& p : account.pins) {
        pin.bind(1, id).bind(2, p.host).bind(3, static_cast<std::int64_t>(p.port)).bind(4, mail::normalise_fingerprint(p.sha256));
        pin.bind(5, now_seconds()).run();
        pin.reset();
    }
}

void AccountRepository::save_settings(const Account& account) {
    if (account.settings.recent_days < 1 || account.settings.pop3_delete_after_days < 0)
        throw Error(ErrorCategory::BadInput, "Days must be a positive number.");
    Transaction tx(db_);
    if (!find(account.email))
        throw Error(ErrorCategory::NotFound, "The account " + account.email + " is no longer in this profile.");
    write_settings(account.id, account);
    db_.prepare("DELETE FROM account_servers WHERE account_id = ?1").bind(1, account.id).run();
    insert_servers(account.id, "primary", account.servers);
    insert_servers(account.id, "fallback", account.fallback_servers);
    tx.commit();
}

void AccountRepository::save_fallback_state(const Account& account) {
    auto st = db_.prepare(
        "UPDATE accounts SET mode = ?2, fallback_reason = ?3, fallback_since = ?4, last_oauth_attempt = ?5, "
        "oauth_transient_failures = ?6 WHERE id = ?1");
    st.bind(1, account.id).bind(2, to_string(account.mode)).bind(3, account.fallback_reason);
    st.bind(4, account.fallback_since).bind(5, account.last_oauth_attempt);
    st.bind(6, static_cast<std::int64_t>(account.oauth_transient_failures)).run();
    if (db_.changes() == 0)
        throw Error(ErrorCategory::NotFound, "The account " + account.email + " is no longer in this profile.");
}

void AccountRepository::insert_servers(std::int64_t id, std::string_view purpose,
                                       const std::vector<mail::ServerEndpoint>& servers) {
    auto st = db_.prepare(
        "INSERT INTO account_servers(account_id, purpose, protocol, host, port, tls, username) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    for (const auto& s : servers) {
        st.bind(1, id).bind(2, purpose).bind(3, mail::to_string(s.protocol)).bind(4, s.host);
        st.bind(5, static_cast<std::int64_t>(s.port)).bind(6, mail::to_string(s.tls)).bind(7, s.username);
        st.run();
        st.reset();
    }
}

void AccountRepository::load_servers(Account& account) {
    auto st = db_.prepare(
        "SELECT purpose, protocol, host, port, tls, username FROM account_servers WHERE account_id = ?1 "
        "ORDER BY purpose, CASE protocol WHEN 'imap' THEN 0 WHEN 'pop3' THEN 1 ELSE 2 END");
    st.bind(1, account.id);
    while (st.step()) {
        mail::ServerEndpoint s;
        auto protocol = mail::protocol_from_string(st.column_text(1));
        auto tls = mail::tls_from_string(st.column_text(4));
        if (!protocol || !tls) throw Error(ErrorCategory::Storage, {}, "bad server row for " + account.email);
        s.protocol = *protocol;
        s.host = st.column_text(2);
        s.port = static_cast<int>(st.column_int(3));
        s.tls = *tls;
        s.username = st.column_text(5);
        (st.column_text(0) == "fallback" ? account.fallback_servers : account.servers).push_back(std::move(s));
    }
    auto pins = db_.prepare("SELECT host, port, sha256 FROM certificate_pins WHERE account_id = ?1 ORDER BY host, port");
    pins.bind(1, account.id);
    while (pins.step())
        account.pins.push_back({pins.column_text(0), static_cast<int>(pins.column_int(1)), pins.column_text(2)});
}

std::vector<Account> AccountRepository::list() {
    std::vector<Account> result;
    auto st = db_.prepare(std::string("SELECT ") + account_columns + " FROM accounts ORDER BY email");
    while (st.step()) result.push_back(read_account(st));
    for (auto& a : result) load_servers(a);
    return result;
}

std::optional<Account> AccountRepository::find(std::string_view email) {
    auto st = db_.prepare(std::string("SELECT ") + account_columns + " FROM accounts WHERE email = ?1");
    st.bind(1, email);
    if (!st.step()) return std::nullopt;
    Account a = read_account(st);
    load_servers(a);
    return a;
}

bool AccountRepository::remove(std::string_view email) {
    db_.prepare("DELETE FROM accounts WHERE email = ?1").bind(1, email).run();
    return db_.changes() > 0;
}

}  // namespace tern::accounts
