// How mail/ asks for a login without knowing where it comes from: accounts/ answers with a
// password from the credential store or an access token from auth/ (DESIGN §1), tests with fixed
// values. mail/ never depends on auth/.
#pragma once

#include "tern/core/cancellation.hpp"
#include "tern/core/error.hpp"
#include "tern/core/secret.hpp"

#include <string>
#include <string_view>

namespace tern::mail {

enum class SaslMechanism {
    Password,     // PLAIN, else LOGIN (IMAP: the LOGIN command when the server offers no SASL for it)
    XOAuth2,      // Microsoft's and Google's bearer token mechanism
    OAuthBearer,  // RFC 7628
};

std::string_view to_string(SaslMechanism mechanism);  // "password", "xoauth2", "oauthbearer"

struct SaslLogin {
    SaslMechanism mechanism = SaslMechanism::Password;
    std::string user;
    Secret secret;  // the password or the access token
};

class SaslCredentials {
public:
    virtual ~SaslCredentials() = default;

    // The login to use now. Called on the worker that connects; may block (e.g. to refresh a
    // token) and should honour `cancel`. Throws tern::Error when there is none to give.
    virtual SaslLogin login(const CancelToken& cancel) = 0;

    // The server refused `refused` with `why`. Return true when a new login() is worth exactly one
    // more attempt (a token issued before now, refreshed since); false to give up. A token that
    // was fresh and still refused is what the fallback policy acts on (DESIGN §4).
    virtual bool refused(const SaslLogin& refused, const Error& why) = 0;
};

// Always the same login; a refusal is final. For passwords typed once, tests and probes.
class FixedCredentials final : public SaslCredentials {
public:
    explicit FixedCredentials(SaslLogin login) : login_(std::move(login)) {}
    SaslLogin login(const CancelToken&) override { return login_; }
    bool refused(const SaslLogin&, const Error&) override { return false; }

private:
    SaslLogin login_;
};

}  // namespace tern::mail
