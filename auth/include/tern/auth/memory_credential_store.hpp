// A CredentialStore in memory, for unit tests and for a process that must not touch the keyring.
#pragma once

#include "tern/auth/credential_store.hpp"

#include <map>
#include <mutex>
#include <tuple>

namespace tern::auth {

class MemoryCredentialStore final : public CredentialStore {
public:
    void store(const CredentialKey& key, const Secret& secret) override;
    std::optional<Secret> load(const CredentialKey& key) override;
    bool remove(const CredentialKey& key) override;
    std::string backend_name() const override { return "memory"; }

private:
    using Index = std::tuple<std::string, std::string, std::string>;
    std::mutex mutex_;
    std::map<Index, Secret> secrets_;
};

}  // namespace tern::auth
