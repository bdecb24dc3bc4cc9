#include "tern/auth/memory_credential_store.hpp"

namespace tern::auth {

namespace {
std::tuple<std::string, std::string, std::string> index_of(const CredentialKey& key) {
    return {key.profile_id, key.account, key.kind};
}
}  // namespace

void MemoryCredentialStore::store(const CredentialKey& key, const Secret& secret) {
    validate(key);
    std::lock_guard<std::mutex> lock(mutex_);
    secrets_.insert_or_assign(index_of(key), secret);
}

std::optional<Secret> MemoryCredentialStore::load(const CredentialKey& key) {
    validate(key);
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = secrets_.find(index_of(key));
    if (found == secrets_.end()) return std::nullopt;
    return found->second;
}

bool MemoryCredentialStore::remove(const CredentialKey& key) {
    validate(key);
    std::lock_guard<std::mutex> lock(mutex_);
    return secrets_.erase(index_of(key)) > 0;
}

}  // namespace tern::auth
