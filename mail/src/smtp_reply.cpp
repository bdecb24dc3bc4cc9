#include "tern/mail/smtp_reply.hpp"

#include "tern/core/text.hpp"

#include <cctype>
#include <regex>
#include <vector>

namespace tern::mail {
namespace {

struct Rule {
    const char* enhanced_code;  // matched as a whole word ("5.7.3" does not match "5.7.30")
    const char* text;           // and/or a phrase in the reply (case-insensitive); nullptr: any
    ErrorCategory category;
    bool permanent;
    const char* explanation;
};

// First match wins: the specific cases before the general ones.
const std::vector<Rule>& rules() {
    static const std::vector<Rule> table{
        {"5.7.139", nullptr, ErrorCategory::PolicyBlocked, true,
         "SMTP AUTH is disabled for this tenant or mailbox. An Exchange administrator must enable "
         "Authenticated SMTP for the mailbox (Microsoft 365 admin center: Users, Mail, Manage email apps) and, if "
         "it is off for the whole organisation, for the tenant (Set-TransportConfig "
         "-SmtpClientAuthenticationDisabled $false)."},
        {"5.7.30", nullptr, ErrorCategory::PolicyBlocked, true,
         "This organisation no longer accepts passwords for sending mail (basic SMTP authentication is "
         "retired). Sign in with Microsoft instead: the account's OAuth sign-in, or device-code sign-in."},
        {"5.5.127", nullptr, ErrorCategory::AuthRejected, false,
         "The sign-in token was about to expire. Tern signs in again with a new token."},
        {"5.7.3", nullptr, ErrorCategory::AuthRejected, true,
         "The server did not accept the sign-in for this mailbox. If you signed in with Microsoft, check that "
         "you signed in as the same account as this mailbox (not another account of yours)."},
        {"5.7.57", nullptr, ErrorCategory::AuthRejected, true,
         "The server requires signing in before sending mail, and the sign-in did not happen or failed."},
        {"5.7.60", nullptr, ErrorCategory::PolicyBlocked, true,
         "This account is not allowed to send as the sender address. Use the account's own address or ask "
         "the administrator for Send As permission."},
        {nullptr, "suggested backoff time", ErrorCategory::ServerError, false,
         "The server is limiting how fast this account may send. Tern waits as long as the server asks, then "
         "tries again."},
        {"5.1.1", nullptr, ErrorCategory::BadInput, true,
         "A recipient's address does not exist. Check the address for typing mistakes."},
        {"5.1.10", nullptr, ErrorCategory::BadInput, true,
         "A recipient's address does not exist. Check the address for typing mistakes."},
        {"5.2.2", nullptr, ErrorCategory::ServerError, true, "A recipient's mailbox is full."},
        {"5.3.4", nullptr, ErrorCategory::BadInput, true,
         "The message is larger than the server accepts. Remove or shrink attachments."},
        {"5.2.3", nullptr, ErrorCategory::BadInput, true,
         "The message is larger than the server accepts. Remove or shrink attachments."},
        {"5.7.1", nullptr, ErrorCategory::PolicyBlocked, true,
         "The server's policy refused the message (for example sending to that recipient is not allowed)."},
    };
    return table;
}

bool has_word(std::string_view reply, std::string_view code) {
    for (auto at = reply.find(code); at != std::string_view::npos; at = reply.find(code, at + 1)) {
        const bool start = at == 0 || !(std::isdigit(static_cast<unsigned char>(reply[at - 1])) || reply[at - 1] == '.');
        const auto end = at + code.size();
        const bool stop = end >= reply.size() ||
                          !(std::isdigit(static_cast<unsigned char>(reply[end])) || reply[end] == '.');
        if (start && stop) return true;
    }
    return false;
}

}  // namespace

SmtpReplyMeaning explain_smtp_reply(std::string_view reply) {
    SmtpReplyMeaning meaning;
    const auto low = ascii_lower(reply);
    // "Suggested Backoff Time: 10000 milliseconds" (Exchange Online throttling).
    static const std::regex backoff(R"re(suggested backoff time:?\s*(\d+)\s*(milliseconds|ms|seconds|s)?)re");
    std::smatch m;
    if (std::regex_search(low, m, backoff)) {
        const long long value = std::stoll(m[1].str());
        const bool millis = !m[2].matched || m[2].str().front() == 'm';
        meaning.backoff = std::chrono::seconds(millis ? (value + 999) / 1000 : value);
    }
    for (const auto& rule : rules()) {
        if (rule.enhanced_code && !has_word(reply, rule.enhanced_code)) continue;
        if (rule.text && low.find(rule.text) == std::string::npos) continue;
        meaning.category = rule.category;
        meaning.permanent = rule.permanent;
        meaning.explanation = rule.explanation;
        return meaning;
    }
    // Nothing specific: the basic code decides (RFC 5321 §4.2.1): 4yz transient, 5yz permanent.
    meaning.category = ErrorCategory::ServerError;
    meaning.permanent = !reply.empty() && reply.front() == '5';
    return meaning;
}

}  // namespace tern::mail
