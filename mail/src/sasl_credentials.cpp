#include "tern/mail/sasl_credentials.hpp"

namespace tern::mail {

std::string_view to_string(SaslMechanism mechanism) {
    switch (mechanism) {
        case SaslMechanism::Password: return "password";
        case SaslMechanism::XOAuth2: return "xoauth2";
        case SaslMechanism::OAuthBearer: return "oauthbearer";
    }
    return "password";
}

}  // namespace tern::mail
