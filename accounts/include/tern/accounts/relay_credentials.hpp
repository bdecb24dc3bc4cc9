// The credentials a relayed device signs in to Tern's relay with: a user name derived from its
// name (relay_user_for) and a generated password, kept only in the credential store.
#pragma once

#include "tern/core/secret.hpp"

namespace tern::accounts {

// 24 letters and digits from OpenSSL's CSPRNG (about 143 bits): nothing a printer's web form or
// keypad might refuse, and no leading '-' that command-line clients (swaks, curl) take for an
// option. Throws Internal if the system has no randomness to give.
Secret new_relay_password();

}  // namespace tern::accounts
