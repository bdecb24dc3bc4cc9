// Factories of the operating-system credential stores; only the current platform's is compiled in
// (see auth/CMakeLists.txt), and make_system_credential_store() picks it.
#pragma once

#include "tern/auth/credential_store.hpp"

#include <memory>
#include <string>

namespace tern::auth {

// "profile/account/kind" for stores that name an item with one string (the Windows target name,
// the Keychain account). '%' and '/' inside a field are percent-escaped, so that two different
// keys never share a name ("a/b" + "c" vs "a" + "b/c").
std::string path_of(const CredentialKey& key);

std::unique_ptr<CredentialStore> make_libsecret_credential_store();  // Linux
std::unique_ptr<CredentialStore> make_wincred_credential_store();    // Windows
std::unique_ptr<CredentialStore> make_keychain_credential_store();   // macOS

}  // namespace tern::auth
