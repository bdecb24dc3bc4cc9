// One-time set-up of the mail library (vmime) that every session relies on.
#pragma once

#include <string>
#include <vector>

namespace tern::mail {

// Registers SASL mechanisms that Debian's vmime 0.9.2 ships but does not register (XOAUTH2).
// Safe to call any number of times from any thread.
void initialise_mail_library();

// The SASL mechanisms vmime can use after initialise_mail_library(), upper case.
std::vector<std::string> supported_sasl_mechanisms();

}  // namespace tern::mail
