// The one error type of Tern's core: what a program does next (category), what a person reads
// (message), what a developer reads in the log (detail), and the protocol exchange it came from.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace tern {

// Categories are what code branches on (the OAuth fallback policy, retry loops, exit codes).
// Add one only when some caller must act differently on it.
enum class ErrorCategory {
    Network,          // DNS, refused, reset, unreachable
    TlsCertificate,   // certificate not trusted, expired, wrong host, pin mismatch
    TlsHandshake,     // TLS negotiation failed, STARTTLS required but not offered
    Timeout,
    AuthRejected,     // server refused the credentials or token
    TokenExpired,     // refresh token expired (inactivity, sign-in frequency)
    TokenRevoked,     // grant revoked (password changed, admin action)
    ConsentRequired,  // an administrator must approve the app
    AppRejected,      // the identity platform refuses the app itself (client id unknown or not allowed)
    PolicyBlocked,    // Conditional Access, MFA, SMTP AUTH disabled, basic auth retired
    ServerError,      // the server failed or is temporarily unavailable
    Protocol,         // the peer said something we do not understand
    BadInput,         // the user's or caller's input is invalid
    Storage,          // profile database, spool, credential store
    Cancelled,        // the person or the program cancelled
    NotFound,         // the named account, message, device does not exist
    Unsupported,      // not available on this platform or not built yet
    Internal,         // a bug in Tern
};

// Stable kebab-case name, used in logs, JSON output and tests ("tls-certificate").
std::string_view to_string(ErrorCategory category);
std::optional<ErrorCategory> category_from_string(std::string_view name);

// What the protocol said when the error happened; empty fields when not applicable.
// Never holds secrets: SASL responses and Authorization headers are redacted before they get here.
struct ProtocolContext {
    std::string command;   // e.g. "AUTH XOAUTH2", "POST /token"
    std::string response;  // the server's reply line or body excerpt
    std::string status;    // e.g. "535 5.7.139", "invalid_grant AADSTS50173", "NO [AUTHENTICATIONFAILED]"
};

class Error : public std::exception {
public:
    // `message` is for a person and says what to do; pass an empty string to use the category's
    // generic wording. `detail` is for the log (library error text, errno, codes).
    Error(ErrorCategory category, std::string message, std::string detail = {},
          ProtocolContext context = {});

    ErrorCategory category() const noexcept { return category_; }
    const std::string& message() const noexcept { return message_; }
    const std::string& detail() const noexcept { return detail_; }
    const ProtocolContext& context() const noexcept { return context_; }

    // The person's message: exception handlers that know nothing of Tern still show something useful.
    const char* what() const noexcept override { return message_.c_str(); }

    // One line for the log: category, message, detail and protocol context, redacted.
    std::string log_line() const;

private:
    ErrorCategory category_;
    std::string message_;
    std::string detail_;
    ProtocolContext context_;
};

// Generic wording for a category, used when the raiser has nothing more specific.
std::string default_message(ErrorCategory category);

// The single place that turns anything thrown into an Error: a tern::Error passes through, a
// std::bad_alloc becomes Internal, anything else Internal with its what() as detail.
Error to_error(std::exception_ptr thrown);

}  // namespace tern
