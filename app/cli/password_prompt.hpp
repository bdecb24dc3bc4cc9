// Passwords and the fallback policy's questions on the command line: a password is typed without
// echo on a terminal, or is the first line of standard input when it is piped.
#pragma once

#include "tern/accounts/account_access.hpp"
#include "tern/core/secret.hpp"

#include <optional>
#include <string>

namespace tern::cli {

// Throws BadInput when no password was given.
Secret read_password(const std::string& email);
// nullopt when standard input has nothing to give (closed, empty) instead of throwing.
std::optional<Secret> try_read_password(const std::string& email);

// What the fallback policy says goes to stderr; its password question reads as above.
accounts::FallbackPrompts fallback_prompts();

}  // namespace tern::cli
