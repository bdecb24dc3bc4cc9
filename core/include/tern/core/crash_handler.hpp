// Last words of a dying process: an uncaught exception is logged and printed redacted, so a crash
// report never carries a password or a token.
#pragma once

namespace tern {

// Installs a std::terminate handler. Call once at the start of main().
void install_crash_handler(const char* program_name);

}  // namespace tern
