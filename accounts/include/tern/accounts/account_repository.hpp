// Reads and writes accounts in the profile database. Holds no secrets and takes none.
#pragma once

#include "tern/accounts/account.hpp"
#include "tern/core/database.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace tern::accounts {

class AccountRepository {
public:
    explicit AccountRepository(Database& db) : db_(db) {}

    // Returns the new id. Throws tern::Error (BadInput) when an account with that email exists.
    std::int64_t add(const Account& account);
    std::vector<Account> list();
    std::optional<Account> find(std::string_view email);
    // True when an account was removed; its servers go with it.
    bool remove(std::string_view email);
    // Writes what the person can change: client id, tenant, AccountSettings, certificate pins, and
    // the servers (those of the account's mode and the fallback ones).
    // Throws BadInput for a value out of range (nothing written), NotFound for a removed account.
    void save_settings(const Account& account);
    // Writes the mode and the fallback fields (reason, since, last OAuth attempt, failures in a row).
    void save_fallback_state(const Account& account);

private:
    void insert_servers(std::int64_t id, std::string_view purpose, const std::vector<mail::ServerEndpoint>& servers);
    void load_servers(Account& account);
    void write_settings(std::int64_t id, const Account& account);
    Database& db_;
};

}  // namespace tern::accounts
