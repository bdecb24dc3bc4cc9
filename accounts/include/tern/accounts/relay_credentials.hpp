// The credentials a relayed device signs in to Tern's relay with: a user name derived from its
// name (relay_user_for) and a generated password, kept only in the credential store.
#pragma once

#include "tern/core/secret.hpp"

namespace tern::accounts {

// 24 characters of base64url from 18 random bytes (OpenSSL's CSPRNG): 144 bits, and nothing a
// printer's web form might refuse (no quotes, spaces or '+'/'/'). Throws Internal if the system
// has no randomness to give.
Secret new_relay_password();

}  // namespace tern::accounts
