#include "tern/mail/mail_library.hpp"

#include <vmime/vmime.hpp>
#include <vmime/security/sasl/XOAuth2SASLAuthenticator.hpp>
#include <vmime/security/sasl/XOAuth2SASLMechanism.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace tern::mail {

void initialise_mail_library() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Debian's vmime builds XOAUTH2 but leaves it out of the factory (see DESIGN §8).
        vmime::security::sasl::SASLMechanismFactory::getInstance()
            ->registerMechanism<vmime::security::sasl::XOAuth2SASLMechanism>("XOAUTH2");
    });
}

std::vector<std::string> supported_sasl_mechanisms() {
    std::vector<std::string> names;
    for (auto name : vmime::security::sasl::SASLMechanismFactory::getInstance()->getSupportedMechanisms()) {
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace tern::mail
