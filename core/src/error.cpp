#include "tern/core/error.hpp"

#include "tern/core/redaction.hpp"

#include <array>
#include <new>
#include <utility>

namespace tern {
namespace {

struct CategoryInfo {
    ErrorCategory category;
    std::string_view name;
    std::string_view message;
};

// One table: name and generic wording per category.
constexpr std::array<CategoryInfo, 18> categories{{
    {ErrorCategory::Network, "network",
     "Tern could not reach the server. Check the network connection and the server name."},
    {ErrorCategory::TlsCertificate, "tls-certificate",
     "The server's security certificate is not trusted, so Tern did not connect."},
    {ErrorCategory::TlsHandshake, "tls-handshake",
     "A secure connection to the server could not be set up."},
    {ErrorCategory::Timeout, "timeout", "The server did not answer in time. Try again later."},
    {ErrorCategory::AuthRejected, "auth-rejected",
     "The server refused the sign-in. Check the user name and password, or sign in again."},
    {ErrorCategory::TokenExpired, "token-expired",
     "The sign-in has expired. Sign in to the account again."},
    {ErrorCategory::TokenRevoked, "token-revoked",
     "The sign-in was revoked (for example after a password change). Sign in to the account again."},
    {ErrorCategory::ConsentRequired, "consent-required",
     "An administrator of the organisation must approve Tern before it can sign in."},
    {ErrorCategory::AppRejected, "app-rejected",
     "Microsoft does not accept Tern's app registration (client id). An organisation can register its "
     "own app and give its client id in the account settings."},
    {ErrorCategory::PolicyBlocked, "policy-blocked",
     "The organisation's sign-in policy blocked this sign-in. Ask the administrator."},
    {ErrorCategory::ServerError, "server-error",
     "The server reported an internal problem. Try again later."},
    {ErrorCategory::Protocol, "protocol",
     "The server answered in a way Tern did not understand."},
    {ErrorCategory::BadInput, "bad-input", "The input is not valid."},
    {ErrorCategory::Storage, "storage", "Tern could not read or write its data on this computer."},
    {ErrorCategory::Cancelled, "cancelled", "The operation was cancelled."},
    {ErrorCategory::NotFound, "not-found", "The requested item does not exist."},
    {ErrorCategory::Unsupported, "unsupported", "This is not available in this version of Tern."},
    {ErrorCategory::Internal, "internal",
     "Tern hit an internal error. Please report it with the log file."},
}};

const CategoryInfo& info(ErrorCategory category) {
    for (const auto& entry : categories)
        if (entry.category == category) return entry;
    return categories.back();
}

}  // namespace

std::string_view to_string(ErrorCategory category) { return info(category).name; }

std::optional<ErrorCategory> category_from_string(std::string_view name) {
    for (const auto& entry : categories)
        if (entry.name == name) return entry.category;
    return std::nullopt;
}

std::string default_message(ErrorCategory category) { return std::string(info(category).message); }

Error::Error(ErrorCategory category, std::string message, std::string detail, ProtocolContext context)
    : category_(category),
      message_(message.empty() ? default_message(category) : std::move(message)),
      detail_(std::move(detail)),
      context_(std::move(context)) {}

std::string Error::log_line() const {
    std::string line = "[" + std::string(to_string(category_)) + "] " + message_;
    if (!detail_.empty()) line += " | detail: " + detail_;
    if (!context_.command.empty()) line += " | command: " + context_.command;
    if (!context_.status.empty()) line += " | status: " + context_.status;
    if (!context_.response.empty()) line += " | response: " + context_.response;
    return redact(line);
}

Error to_error(std::exception_ptr thrown) {
    try {
        if (thrown) std::rethrow_exception(thrown);
        return Error(ErrorCategory::Internal, {}, "to_error called without an exception");
    } catch (const Error& e) {
        return e;
    } catch (const std::bad_alloc&) {
        return Error(ErrorCategory::Internal, "Tern ran out of memory.", "std::bad_alloc");
    } catch (const std::exception& e) {
        return Error(ErrorCategory::Internal, {}, e.what());
    } catch (...) {
        return Error(ErrorCategory::Internal, {}, "unknown exception type");
    }
}

}  // namespace tern
