#include "tern/mail/relay/smtp_server_session.hpp"

#include "tern/core/base64.hpp"
#include "tern/core/text.hpp"

#include <ctime>

namespace tern::mail::relay {
namespace {

constexpr std::size_t compact_after = 64 * 1024;  // drop consumed input once this much piles up

bool starts_with_word(std::string_view line, std::string_view word) {
    if (line.size() < word.size() || !iequals(line.substr(0, word.size()), word)) return false;
    return line.size() == word.size() || line[word.size()] == ' ';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::string_view argument_of(std::string_view line, std::size_t word_length) {
    return line.size() > word_length ? trim(line.substr(word_length)) : std::string_view{};
}

// "FROM:" / "TO:" with any case and optional spaces before the path (many printers send one).
std::optional<std::string_view> after_keyword(std::string_view argument, std::string_view keyword) {
    if (argument.size() < keyword.size() || !iequals(argument.substr(0, keyword.size()), keyword)) return std::nullopt;
    return trim(argument.substr(keyword.size()));
}

// Client text echoed in a reply: RFC 5321 §4.2 allows only printable US-ASCII there, so anything
// else (a bare CR, a tab, 8-bit bytes) becomes '?', and the length is capped.
std::string printable(std::string_view text, std::size_t max) {
    std::string out(text.substr(0, max));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < ' ' || static_cast<unsigned char>(c) > '~') c = '?';
    return out;
}

std::string rfc5322_now() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &utc);
    return buffer;
}

}  // namespace

std::optional<PathArgument> parse_path_argument(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.front() != '<') return std::nullopt;
    const auto close = text.find('>');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view path = text.substr(1, close - 1);
    if (!path.empty() && path.front() == '@') {  // a source route: "@a,@b:user@c"
        const auto colon = path.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        path.remove_prefix(colon + 1);
    }
    PathArgument out;
    out.address = std::string(path);
    out.parameters = std::string(trim(text.substr(close + 1)));
    if (!out.parameters.empty() && text[close + 1] != ' ') return std::nullopt;  // "<a@b>SIZE=1"
    return out;
}

bool plausible_address(std::string_view address) {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size() || address.size() > 254) return false;
    for (const unsigned char c : address)
        if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
            c == '\\' || c == '"' || c == '[' || c == ']')
            return false;
    const auto domain = address.substr(at + 1);
    return domain.front() != '.' && domain.back() != '.' && domain.find("..") == std::string_view::npos;
}

SmtpServerSession::SmtpServerSession(SessionSettings settings) : settings_(std::move(settings)) {}

std::vector<SessionAction> SmtpServerSession::start() {
    std::vector<SessionAction> out;
    reply(out, "220 " + settings_.hostname + " ESMTP Tern device relay ready\r\n");
    return out;
}

std::vector<SessionAction> SmtpServerSession::receive(std::string_view bytes) {
    std::vector<SessionAction> out;
    if (closed_) return out;
    input_.append(bytes);
    process(out);
    return out;
}

std::vector<SessionAction> SmtpServerSession::tls_started() {
    std::vector<SessionAction> out;
    if (pending_ != Pending::StartTls) return out;
    pending_ = Pending::None;
    tls_active_ = true;
    // RFC 3207 §4.2: forget everything, including what was pipelined in the clear after STARTTLS
    // (an attacker's injected commands would otherwise run inside the TLS session).
    input_.clear();
    input_pos_ = 0;
    discarding_long_line_ = false;
    helo_.reset();
    extended_ = false;
    identity_.reset();
    reset_transaction();
    return out;
}

std::vector<SessionAction> SmtpServerSession::authenticated(std::optional<RelayIdentity> identity) {
    std::vector<SessionAction> out;
    if (pending_ != Pending::Authenticate) return out;
    pending_ = Pending::None;
    if (identity) {
        identity_ = std::move(identity);
        reply(out, "235 2.7.0 Authentication successful\r\n");
    } else if (++auth_failures_ >= settings_.limits.max_auth_failures) {
        close(out, "421 4.7.0 Too many failed authentications, closing the connection\r\n");
        return out;
    } else {
        reply(out, "535 5.7.8 Authentication credentials invalid\r\n");
    }
    process(out);
    return out;
}

std::vector<SessionAction> SmtpServerSession::delivered(std::optional<std::string> queue_id) {
    std::vector<SessionAction> out;
    if (pending_ != Pending::Deliver) return out;
    pending_ = Pending::None;
    if (queue_id)
        reply(out, "250 2.0.0 Ok: queued as " + *queue_id + "\r\n");
    else
        reply(out, "451 4.3.0 The relay could not store the message; try again later\r\n");
    reset_transaction();
    process(out);
    return out;
}

std::vector<SessionAction> SmtpServerSession::timed_out() {
    std::vector<SessionAction> out;
    if (!closed_) close(out, "421 4.4.2 " + settings_.hostname + " Timeout, closing the connection\r\n");
    return out;
}

void SmtpServerSession::process(std::vector<SessionAction>& out) {
    while (!closed_ && pending_ == Pending::None) {
        if (phase_ == Phase::Data) {
            data_bytes(out);
            if (phase_ == Phase::Data) break;  // needs more bytes
            continue;
        }
        std::string line;
        const auto taken = take_line(line);
        if (taken == LineResult::None) break;
        if (taken == LineResult::TooLong) {
            phase_ = Phase::Command;
            login_user_.clear();
            bad_command(out, "500 5.5.2 Line too long\r\n");
            continue;
        }
        switch (phase_) {
            case Phase::Command: command(line, out); break;
            case Phase::AuthPlainResponse: auth_plain_response(line, out); break;
            case Phase::AuthLoginUser:
            case Phase::AuthLoginPassword: auth_login_step(line, out); break;
            case Phase::Data: break;
        }
    }
    if (input_pos_ >= compact_after || input_pos_ == input_.size()) {
        input_.erase(0, input_pos_);
        input_pos_ = 0;
    }
}

// One command line without its line end. A line longer than the limit is thrown away up to its
// end and reported as TooLong.
SmtpServerSession::LineResult SmtpServerSession::take_line(std::string& line) {
    const auto newline = input_.find('\n', input_pos_);
    if (newline == std::string::npos) {
        if (input_.size() - input_pos_ > settings_.limits.max_command_line) {
            discarding_long_line_ = true;
            input_pos_ = input_.size();
        }
        return LineResult::None;
    }
    std::size_t end = newline;
    if (end > input_pos_ && input_[end - 1] == '\r') --end;
    const bool too_long = discarding_long_line_ || end - input_pos_ > settings_.limits.max_command_line;
    if (!too_long) line.assign(input_, input_pos_, end - input_pos_);
    input_pos_ = newline + 1;
    discarding_long_line_ = false;
    return too_long ? LineResult::TooLong : LineResult::Line;
}

void SmtpServerSession::command(std::string_view line, std::vector<SessionAction>& out) {
    if (line.find('\0') != std::string_view::npos) return bad_command(out, "500 5.5.2 Command contains a NUL byte\r\n");
    if (starts_with_word(line, "EHLO")) return ehlo(argument_of(line, 4), true, out);
    if (starts_with_word(line, "HELO")) return ehlo(argument_of(line, 4), false, out);
    if (starts_with_word(line, "QUIT")) return close(out, "221 2.0.0 Bye\r\n");
    if (starts_with_word(line, "NOOP")) return reply(out, "250 2.0.0 Ok\r\n");
    if (starts_with_word(line, "RSET")) {
        reset_transaction();
        return reply(out, "250 2.0.0 Ok\r\n");
    }
    if (starts_with_word(line, "VRFY")) return reply(out, "252 2.5.0 Cannot verify the user, but will try delivery\r\n");
    if (starts_with_word(line, "HELP"))
        return reply(out, "214 2.0.0 Tern device relay: EHLO STARTTLS AUTH MAIL RCPT DATA RSET NOOP QUIT\r\n");
    if (starts_with_word(line, "STARTTLS")) {
        if (line.size() != 8) return reply(out, "501 5.5.4 STARTTLS takes no argument\r\n");
        if (tls_active_) return reply(out, "503 5.5.1 TLS is already active\r\n");
        if (!settings_.tls_available) return reply(out, "454 4.7.0 TLS is not available\r\n");
        reply(out, "220 2.0.0 Ready to start TLS\r\n");
        SessionAction action;
        action.kind = SessionAction::Kind::StartTls;
        out.push_back(std::move(action));
        pending_ = Pending::StartTls;
        return;
    }
    if (starts_with_word(line, "AUTH")) return auth(argument_of(line, 4), out);
    if (starts_with_word(line, "MAIL")) return mail_from(argument_of(line, 4), out);
    if (starts_with_word(line, "RCPT")) return rcpt_to(argument_of(line, 4), out);
    if (starts_with_word(line, "DATA")) {
        if (line.size() != 4) return reply(out, "501 5.5.4 DATA takes no argument\r\n");
        return data(out);
    }
    if (starts_with_word(line, "BDAT")) return bad_command(out, "502 5.5.1 CHUNKING is not offered\r\n");
    if (starts_with_word(line, "EXPN") || starts_with_word(line, "TURN") || starts_with_word(line, "ETRN"))
        return bad_command(out, "502 5.5.1 Command not implemented\r\n");
    bad_command(out, "500 5.5.2 Command not recognized\r\n");
}

void SmtpServerSession::ehlo(std::string_view argument, bool extended, std::vector<SessionAction>& out) {
    if (argument.empty()) return bad_command(out, "501 5.5.4 Say who you are: EHLO <your name>\r\n");
    reset_transaction();
    helo_ = std::string(argument.substr(0, 255));
    extended_ = extended;
    if (!extended) return reply(out, "250 " + settings_.hostname + "\r\n");
    std::vector<std::string> lines{settings_.hostname + " greets " + printable(*helo_, 255),
                                   "SIZE " + std::to_string(settings_.limits.max_message_bytes), "8BITMIME",
                                   "PIPELINING", "ENHANCEDSTATUSCODES"};
    if (!tls_active_ && settings_.tls_available) lines.emplace_back("STARTTLS");
    // Passwords never cross the network in the clear: AUTH exists only inside TLS.
    if (tls_active_) lines.emplace_back("AUTH PLAIN LOGIN");
    std::string text;
    for (std::size_t i = 0; i < lines.size(); ++i)
        text += "250" + std::string(i + 1 < lines.size() ? "-" : " ") + lines[i] + "\r\n";
    reply(out, text);
}

void SmtpServerSession::auth(std::string_view argument, std::vector<SessionAction>& out) {
    if (!helo_) return bad_command(out, "503 5.5.1 Send EHLO first\r\n");
    if (!tls_active_) return reply(out, "530 5.7.0 Must issue a STARTTLS command first\r\n");
    if (identity_) return reply(out, "503 5.5.1 Already authenticated\r\n");
    if (envelope_) return reply(out, "503 5.5.1 AUTH is not allowed during a mail transaction\r\n");
    const auto space = argument.find(' ');
    const auto mechanism = argument.substr(0, space);
    const auto initial = space == std::string_view::npos ? std::string_view{} : trim(argument.substr(space + 1));
    if (iequals(mechanism, "PLAIN")) {
        if (initial.empty()) {
            phase_ = Phase::AuthPlainResponse;
            return reply(out, "334 \r\n");
        }
        return auth_plain_response(initial, out);
    }
    if (iequals(mechanism, "LOGIN")) {
        if (initial.empty()) {
            phase_ = Phase::AuthLoginUser;
            return reply(out, "334 VXNlcm5hbWU6\r\n");  // "Username:"
        }
        phase_ = Phase::AuthLoginUser;
        return auth_login_step(initial, out);
    }
    if (mechanism.empty()) return reply(out, "501 5.5.4 Name a mechanism: AUTH PLAIN or AUTH LOGIN\r\n");
    reply(out, "504 5.5.4 Unrecognized authentication mechanism; use PLAIN or LOGIN\r\n");
}

void SmtpServerSession::auth_plain_response(std::string_view line, std::vector<SessionAction>& out) {
    phase_ = Phase::Command;
    if (line == "*") return reply(out, "501 5.7.0 Authentication cancelled\r\n");
    const auto decoded = base64_decode(line);
    // authzid NUL authcid NUL passwd (RFC 4616); an authzid other than the user is not offered.
    const auto first = decoded ? decoded->find('\0') : std::string::npos;
    const auto second = first == std::string::npos ? std::string::npos : decoded->find('\0', first + 1);
    if (second == std::string::npos) return reply(out, "501 5.5.2 Cannot decode the AUTH PLAIN response\r\n");
    std::string authzid = decoded->substr(0, first);
    std::string user = decoded->substr(first + 1, second - first - 1);
    std::string password = decoded->substr(second + 1);
    if (!authzid.empty() && authzid != user) return reply(out, "535 5.7.8 Authorization identity not allowed\r\n");
    ask_authentication(std::move(user), std::move(password), out);
}

void SmtpServerSession::auth_login_step(std::string_view line, std::vector<SessionAction>& out) {
    if (line == "*") {
        phase_ = Phase::Command;
        return reply(out, "501 5.7.0 Authentication cancelled\r\n");
    }
    const auto decoded = base64_decode(line);
    if (!decoded) {
        phase_ = Phase::Command;
        return reply(out, "501 5.5.2 Cannot decode the AUTH LOGIN response\r\n");
    }
    if (phase_ == Phase::AuthLoginUser) {
        login_user_ = *decoded;
        phase_ = Phase::AuthLoginPassword;
        return reply(out, "334 UGFzc3dvcmQ6\r\n");  // "Password:"
    }
    phase_ = Phase::Command;
    ask_authentication(std::move(login_user_), *decoded, out);
    login_user_.clear();
}

void SmtpServerSession::ask_authentication(std::string user, std::string password, std::vector<SessionAction>& out) {
    SessionAction action;
    action.kind = SessionAction::Kind::Authenticate;
    action.user = std::move(user);
    action.password = Secret(std::move(password));
    out.push_back(std::move(action));
    pending_ = Pending::Authenticate;
}

void SmtpServerSession::mail_from(std::string_view argument, std::vector<SessionAction>& out) {
    if (!helo_) return bad_command(out, "503 5.5.1 Send EHLO first\r\n");
    if (!tls_active_) return reply(out, "530 5.7.0 Must issue a STARTTLS command first\r\n");
    if (!identity_) return reply(out, "530 5.7.0 Authentication required\r\n");
    if (envelope_) return reply(out, "503 5.5.1 Nested MAIL command\r\n");
    const auto path_text = after_keyword(argument, "FROM:");
    const auto path = path_text ? parse_path_argument(*path_text) : std::nullopt;
    if (!path) return bad_command(out, "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
    std::string_view parameters = path->parameters;
    while (!parameters.empty()) {
        const auto space = parameters.find(' ');
        const auto parameter = parameters.substr(0, space);
        parameters = space == std::string_view::npos ? std::string_view{} : trim(parameters.substr(space + 1));
        const auto equals = parameter.find('=');
        const auto name = parameter.substr(0, equals);
        const auto value = equals == std::string_view::npos ? std::string_view{} : parameter.substr(equals + 1);
        if (iequals(name, "SIZE")) {
            std::uint64_t size = 0;
            if (value.empty() || value.size() > 19) return reply(out, "501 5.5.4 Bad SIZE parameter\r\n");
            for (const char c : value) {
                if (c < '0' || c > '9') return reply(out, "501 5.5.4 Bad SIZE parameter\r\n");
                size = size * 10 + static_cast<std::uint64_t>(c - '0');
            }
            if (size > settings_.limits.max_message_bytes)
                return reply(out, "552 5.3.4 Message size exceeds the relay's limit of " +
                                      std::to_string(settings_.limits.max_message_bytes) + " bytes\r\n");
        } else if (iequals(name, "BODY")) {
            if (!iequals(value, "7BIT") && !iequals(value, "8BITMIME"))
                return reply(out, "501 5.5.4 BODY must be 7BIT or 8BITMIME\r\n");
        } else if (!iequals(name, "AUTH")) {  // AUTH=<> (RFC 4954 §5) needs nothing from us
            return reply(out, "555 5.5.4 Unsupported MAIL parameter " + printable(name, 64) + "\r\n");
        }
    }
    if (!iequals(path->address, identity_->mailbox))
        return reply(out, "550 5.7.1 Sender <" + printable(path->address, 254) +
                              "> is not allowed: this device sends as <" + identity_->mailbox + ">\r\n");
    envelope_ = Envelope{path->address, {}};
    reply(out, "250 2.1.0 Sender ok\r\n");
}

void SmtpServerSession::rcpt_to(std::string_view argument, std::vector<SessionAction>& out) {
    if (!envelope_) return bad_command(out, "503 5.5.1 Need MAIL before RCPT\r\n");
    const auto path_text = after_keyword(argument, "TO:");
    const auto path = path_text ? parse_path_argument(*path_text) : std::nullopt;
    if (!path) return bad_command(out, "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
    if (!path->parameters.empty()) return reply(out, "555 5.5.4 RCPT parameters are not supported\r\n");
    if (!plausible_address(path->address)) return reply(out, "501 5.1.3 Bad recipient address syntax\r\n");
    if (envelope_->recipients.size() >= settings_.limits.max_recipients)
        return reply(out, "452 4.5.3 Too many recipients\r\n");
    envelope_->recipients.push_back(path->address);
    reply(out, "250 2.1.5 Recipient ok\r\n");
}

void SmtpServerSession::data(std::vector<SessionAction>& out) {
    if (!envelope_) return bad_command(out, "503 5.5.1 Need MAIL command\r\n");
    if (envelope_->recipients.empty()) return reply(out, "554 5.5.1 No valid recipients\r\n");
    message_ = received_line();
    data_state_ = DataState::LineStart;
    oversize_ = false;
    phase_ = Phase::Data;
    reply(out, "354 End data with <CR><LF>.<CR><LF>\r\n");
}

// The message text until <CRLF>.<CRLF>, byte by byte so that no line length matters: dots at line
// start are unstuffed, a bare CR or LF becomes CRLF, and only a dot line that follows a real CRLF
// ends the message (a "\n.\r\n" is text, not the end: SMTP smuggling needs exactly that confusion).
void SmtpServerSession::data_bytes(std::vector<SessionAction>& out) {
    std::string chunk;
    while (input_pos_ < input_.size()) {
        const char c = input_[input_pos_++];
        switch (data_state_) {
            case DataState::LineStart:
                if (c == '.') {
                    data_state_ = DataState::Dot;
                    continue;
                }
                [[fallthrough]];
            case DataState::LineStartAfterBareNewline:
            case DataState::Middle:
                if (c == '\r') {
                    data_state_ = DataState::Cr;
                } else if (c == '\n') {
                    chunk += "\r\n";
                    data_state_ = DataState::LineStartAfterBareNewline;
                } else {
                    chunk += c;
                    data_state_ = DataState::Middle;
                }
                continue;
            case DataState::Dot:
                if (c == '\r') {
                    data_state_ = DataState::DotCr;
                    continue;
                }
                // A stuffed dot: drop it and take the character as the line's first.
                data_state_ = DataState::Middle;
                --input_pos_;
                continue;
            case DataState::DotCr:
                if (c == '\n') {
                    append_data(chunk);
                    return finish_data(out);
                }
                chunk += "\r\n";  // a stuffed dot, then a bare CR (made a line end)
                data_state_ = DataState::LineStartAfterBareNewline;
                --input_pos_;
                continue;
            case DataState::Cr:
                chunk += "\r\n";
                if (c == '\n') {
                    data_state_ = DataState::LineStart;
                } else {
                    data_state_ = DataState::LineStartAfterBareNewline;
                    --input_pos_;
                }
                continue;
        }
    }
    append_data(chunk);
}

void SmtpServerSession::append_data(std::string_view bytes) {
    if (oversize_) return;
    if (message_.size() + bytes.size() > settings_.limits.max_message_bytes) {
        oversize_ = true;
        message_.clear();
        message_.shrink_to_fit();
        return;
    }
    message_.append(bytes);
}

void SmtpServerSession::finish_data(std::vector<SessionAction>& out) {
    phase_ = Phase::Command;
    if (oversize_) {
        reset_transaction();
        return reply(out, "552 5.3.4 Message size exceeds the relay's limit of " +
                              std::to_string(settings_.limits.max_message_bytes) + " bytes\r\n");
    }
    SessionAction action;
    action.kind = SessionAction::Kind::Deliver;
    action.identity = *identity_;
    action.envelope = std::move(*envelope_);
    action.message = std::move(message_);
    out.push_back(std::move(action));
    pending_ = Pending::Deliver;
    envelope_.reset();
    message_.clear();
    ++transactions_;
}

void SmtpServerSession::reply(std::vector<SessionAction>& out, std::string_view text) {
    if (!out.empty() && out.back().kind == SessionAction::Kind::Reply) {
        out.back().text.append(text);  // pipelined replies go out in one write
        return;
    }
    SessionAction action;
    action.kind = SessionAction::Kind::Reply;
    action.text = std::string(text);
    out.push_back(std::move(action));
}

void SmtpServerSession::bad_command(std::vector<SessionAction>& out, std::string_view text) {
    if (++bad_commands_ >= settings_.limits.max_bad_commands)
        return close(out, "421 4.7.0 Too many errors, closing the connection\r\n");
    reply(out, text);
}

void SmtpServerSession::close(std::vector<SessionAction>& out, std::string_view text) {
    reply(out, text);
    SessionAction action;
    action.kind = SessionAction::Kind::Close;
    out.push_back(std::move(action));
    closed_ = true;
}

void SmtpServerSession::reset_transaction() {
    envelope_.reset();
    message_.clear();
    oversize_ = false;
}

// RFC 5321 §4.4: every relay adds its trace line. "with ESMTPSA": authenticated, over TLS (RFC 3848).
std::string SmtpServerSession::received_line() const {
    std::string from = helo_ ? *helo_ : "unknown";
    for (char& c : from)
        if (static_cast<unsigned char>(c) < ' ' || c == ';' || c == '(' || c == ')') c = '_';
    return "Received: from " + from + " ([" + settings_.peer_address + "])\r\n\tby " + settings_.hostname +
           " (Tern device relay) with ESMTPSA id " + std::to_string(transactions_ + 1) + ";\r\n\t" + rfc5322_now() +
           "\r\n";
}

}  // namespace tern::mail::relay
