#include "tern/mail/mail_library.hpp"

#include "bearer_sasl_mechanism.hpp"
#include "tern/core/text.hpp"

#include <vmime/vmime.hpp>
#include <vmime/platforms/posix/posixHandler.hpp>

#include <algorithm>
#include <mutex>

namespace tern::mail {

void initialise_mail_library() {
    static std::once_flag once;
    std::call_once(once, [] {
        // vmime needs to be told which platform it runs on before its first socket.
        vmime::platform::setHandler<vmime::platforms::posix::posixHandler>();
        // Debian's vmime builds XOAUTH2 but leaves it out of the factory (DESIGN §8), and has no
        // OAUTHBEARER: both are Tern's, which also answer the server's error challenge correctly.
        auto* factory = vmime::security::sasl::SASLMechanismFactory::getInstance();
        factory->registerMechanism<detail::BearerSaslMechanism>("XOAUTH2");
        factory->registerMechanism<detail::BearerSaslMechanism>("OAUTHBEARER");
    });
}

std::vector<std::string> supported_sasl_mechanisms() {
    std::vector<std::string> names;
    for (const auto& name : vmime::security::sasl::SASLMechanismFactory::getInstance()->getSupportedMechanisms())
        names.push_back(ascii_upper(name));
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace tern::mail
