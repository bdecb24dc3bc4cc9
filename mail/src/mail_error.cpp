#include "mail_error.hpp"

#include "tern/mail/smtp_reply.hpp"

#include <cctype>

#include <vmime/exception.hpp>
#include <vmime/net/smtp/SMTPExceptions.hpp>
#include <vmime/security/cert/certificateException.hpp>

namespace tern::mail::detail {
namespace {

// A reply's status is its code words: "535 5.7.139", "NO [AUTHENTICATIONFAILED]", "-ERR".
std::string first_two_words(const std::string& reply) {
    std::size_t at = 0;
    for (int word = 0; word < 2; ++word) {
        at = reply.find_first_not_of(' ', at);
        if (at == std::string::npos) return reply;
        at = reply.find(' ', at);
        if (at == std::string::npos) return reply;
    }
    return reply.substr(0, at);
}

ProtocolContext protocol_context(const FailureContext& context, std::string response = {}) {
    ProtocolContext out;
    if (context.recorder) {
        out.command = context.recorder->last_command();
        out.response = response.empty() ? context.recorder->last_reply() : std::move(response);
    } else {
        out.response = std::move(response);
    }
    out.status = first_two_words(out.response);
    return out;
}

std::string mechanism_words(SaslMechanism mechanism) {
    switch (mechanism) {
        case SaslMechanism::Password: return "password sign-in (PLAIN or LOGIN)";
        case SaslMechanism::XOAuth2: return "Microsoft/Google token sign-in (XOAUTH2)";
        case SaslMechanism::OAuthBearer: return "token sign-in (OAUTHBEARER)";
    }
    return "sign-in";
}

Error authentication_failed(const FailureContext& context, const std::string& vmime_text) {
    const auto name = server_name(context.server);
    const auto* auth = context.authenticator;
    if (auth && !auth->unmatched_offer().empty())
        return Error(ErrorCategory::Protocol,
                     name + " does not offer " + mechanism_words(auth->login().mechanism) +
                         ". It offers: " + auth->unmatched_offer() + ". Check the server settings of this account.",
                     vmime_text, protocol_context(context));
    auto ctx = protocol_context(context);
    const std::string user = auth ? auth->login().user : std::string();
    std::string message = name + " refused the sign-in" + (user.empty() ? "" : " of " + user);
    if (!ctx.response.empty()) message += ": \"" + ctx.response + "\"";
    // SMTP answers such as "535 5.7.139" say why in a way Tern can explain (DESIGN §3).
    if (context.server.protocol == MailProtocol::Smtp && !ctx.response.empty() &&
        std::isdigit(static_cast<unsigned char>(ctx.response.front()))) {
        const auto meaning = explain_smtp_reply(ctx.response);
        if (!meaning.explanation.empty())
            return Error(meaning.category, message + ". " + meaning.explanation, vmime_text, ctx);
    }
    if (auth && auth->login().mechanism != SaslMechanism::Password) {
        if (const auto challenge = auth->error_challenge(); !challenge.empty()) ctx.response += " " + challenge;
        message += ". The server did not accept the sign-in token.";
    } else {
        message += ". Check the user name and password.";
    }
    return Error(ErrorCategory::AuthRejected, message, vmime_text, ctx);
}

Error timed_out(const FailureContext& context, const std::string& vmime_text) {
    const auto name = server_name(context.server);
    if (context.cancel && context.cancel->cancelled())
        return Error(ErrorCategory::Cancelled, "Cancelled while " + context.doing + " " + name + ".", vmime_text);
    return Error(ErrorCategory::Timeout,
                 name + " did not answer within " + std::to_string(context.timeout_seconds) + " seconds while " +
                     context.doing + " it. Tern will try again later.",
                 vmime_text, protocol_context(context));
}

}  // namespace

std::string server_name(const ServerEndpoint& server) {
    return server.host + ":" + std::to_string(server.port);
}

Error to_mail_error(std::exception_ptr thrown, const FailureContext& context) {
    const auto name = server_name(context.server);
    try {
        std::rethrow_exception(thrown);
    } catch (const Error& e) {
        return e;
    } catch (const vmime::exceptions::operation_timed_out& e) {
        return timed_out(context, e.what());
    } catch (const vmime::exceptions::operation_cancelled& e) {
        return Error(ErrorCategory::Cancelled, "Cancelled while " + context.doing + " " + name + ".", e.what());
    } catch (const vmime::exceptions::authentication_error& e) {
        return authentication_failed(context, e.what() + std::string(" ") + e.response());
    } catch (const vmime::exceptions::command_error& e) {
        if (e.command() == "STARTTLS")
            return Error(ErrorCategory::TlsHandshake,
                         name + " did not switch to an encrypted connection (STARTTLS), which this account requires. "
                                "Tern stopped there: no password or token was sent.",
                         e.what() + std::string(": ") + e.response(), protocol_context(context, e.response()));
        // SMTP: the recorded line keeps the reply code and enhanced status ("550 5.1.1 ...") that
        // vmime's response text leaves out.
        std::string reply = e.response();
        if (context.recorder) {
            const auto line = context.recorder->last_reply();
            if (!line.empty() && std::isdigit(static_cast<unsigned char>(line.front()))) reply = line;
        }
        return Error(ErrorCategory::ServerError,
                     name + " refused " + e.command() + " while " + context.doing + " it: \"" + reply + "\"",
                     e.what(), protocol_context(context, reply));
    } catch (const vmime::net::smtp::SMTPMessageSizeExceedsMaxLimitsException& e) {
        return Error(ErrorCategory::BadInput,
                     "The message is larger than " + name + " accepts. Remove or shrink attachments.", e.what());
    } catch (const vmime::exceptions::invalid_response& e) {
        return Error(ErrorCategory::Protocol,
                     name + " answered " + e.command() + " with something Tern does not understand: \"" +
                         e.response() + "\"",
                     e.what(), protocol_context(context, e.response()));
    } catch (const vmime::exceptions::connection_greeting_error& e) {
        return Error(ErrorCategory::ServerError, name + " turned the connection away: \"" + e.response() + "\"",
                     e.what(), protocol_context(context, e.response()));
    } catch (const vmime::exceptions::tls_exception& e) {
        return Error(ErrorCategory::TlsHandshake,
                     "The encrypted connection to " + name + " could not be set up (TLS handshake failed).",
                     e.what(), protocol_context(context));
    } catch (const vmime::security::cert::certificateException& e) {
        return Error(ErrorCategory::TlsCertificate, "The certificate of " + name + " was not accepted.", e.what());
    } catch (const vmime::exceptions::socket_exception& e) {
        return Error(ErrorCategory::Network,
                     "Tern could not reach " + name + " (" + e.what() +
                         "). Check the network connection and the server name and port.",
                     e.what(), protocol_context(context));
    } catch (const vmime::exceptions::not_connected& e) {
        return Error(ErrorCategory::Network, "The connection to " + name + " was lost while " + context.doing + " it.",
                     e.what(), protocol_context(context));
    } catch (const vmime::exceptions::folder_not_found& e) {
        return Error(ErrorCategory::NotFound, "The folder does not exist on " + name + ".", e.what());
    } catch (const vmime::exceptions::message_not_found& e) {
        return Error(ErrorCategory::NotFound, "The message no longer exists on " + name + ".", e.what());
    } catch (const vmime::exception& e) {
        // vmime's sockets report errno failures as plain vmime::exception ("ENOTCONN: ...").
        const std::string text = e.what();
        for (const char* broken : {"ENOTCONN", "ECONNRESET", "EPIPE", "ECONNABORTED", "ENETUNREACH", "EHOSTUNREACH",
                                   "ECONNREFUSED", "Broken pipe", "Connection reset"})
            if (text.find(broken) != std::string::npos)
                return Error(ErrorCategory::Network,
                             "The connection to " + name + " broke while " + context.doing + " it (" + text +
                                 "). Tern will connect again and carry on where it stopped.",
                             text, protocol_context(context));
        // vmime's GnuTLS socket rethrows what its transport threw by value, as a plain
        // vmime::exception: a time-out (or a cancel) in the middle of a TLS read arrives here.
        if (text == vmime::exceptions::operation_timed_out().what()) return timed_out(context, text);
        if (text.find("ETIMEDOUT") != std::string::npos)
            return Error(ErrorCategory::Timeout, name + " stopped answering while " + context.doing + " it.", text,
                         protocol_context(context));
        return Error(ErrorCategory::Protocol,
                     "Something went wrong while " + context.doing + " " + name + ": " + e.what(),
                     std::string(e.name()) + ": " + e.what(), protocol_context(context));
    } catch (...) {
        return to_error(std::current_exception());
    }
}

}  // namespace tern::mail::detail
