// The relay's ESMTP conversation with one device (RFC 5321, 3207 STARTTLS, 4954 AUTH, 1870 SIZE,
// 6152 8BITMIME, 2920 PIPELINING, 2034 enhanced status codes) as a state machine with no I/O: bytes
// go in, actions come out, and the server that owns the socket carries them out. That keeps the
// protocol testable and fuzzable without a network, and every refusal in one place.
#pragma once

#include "tern/core/secret.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::mail::relay {

struct SessionLimits {
    std::size_t max_message_bytes = 35 * 1024 * 1024;  // Exchange Online's default send limit
    std::size_t max_recipients = 100;
    int max_auth_failures = 3;     // then 421 and the connection closes
    int max_bad_commands = 20;     // a client talking nonsense is dropped
    std::size_t max_command_line = 12288;  // RFC 4954 §4: AUTH responses may be this long
};

struct SessionSettings {
    std::string hostname = "tern-relay";  // the name in the greeting and in Received
    std::string peer_address;             // the client's address, for Received
    bool tls_available = true;            // STARTTLS offered (the relay always has a certificate)
    SessionLimits limits;
};

// The device a relay user and password belong to; its mailbox is the only sender it may use.
struct RelayIdentity {
    std::int64_t device_id = 0;
    std::string device_name;
    std::string mailbox;
};

struct Envelope {
    std::string sender;
    std::vector<std::string> recipients;
};

struct SessionAction {
    enum class Kind {
        Reply,         // send `text` (complete reply lines with CRLF)
        StartTls,      // run the TLS handshake now, then call tls_started()
        Authenticate,  // check `user`/`password`, then call authenticated()
        Deliver,       // spool `message` for `identity`, then call delivered()
        Close,         // close the connection after sending what is pending
    };
    Kind kind = Kind::Reply;
    std::string text;
    std::string user;
    Secret password;
    RelayIdentity identity;
    Envelope envelope;
    std::string message;  // CRLF line ends, dot-unstuffed, with the relay's Received line first
};

class SmtpServerSession {
public:
    explicit SmtpServerSession(SessionSettings settings);

    // The greeting.
    std::vector<SessionAction> start();
    // Bytes from the client. Returns what to do; while an Authenticate, Deliver or StartTls is
    // outstanding the session keeps the bytes and answers nothing until told the outcome.
    std::vector<SessionAction> receive(std::string_view bytes);
    // The handshake succeeded: everything from before it is forgotten (RFC 3207 §4.2), including
    // commands a client pipelined after STARTTLS.
    std::vector<SessionAction> tls_started();
    // The outcome of Authenticate: the identity, or nullopt for wrong credentials (the server has
    // already made the client wait).
    std::vector<SessionAction> authenticated(std::optional<RelayIdentity> identity);
    // The outcome of Deliver: the queue id of the spooled message, or nullopt if it could not be
    // stored (the client gets a temporary failure and keeps its message).
    std::vector<SessionAction> delivered(std::optional<std::string> queue_id);
    // The client said nothing for too long.
    std::vector<SessionAction> timed_out();

    bool waiting() const { return pending_ != Pending::None; }
    bool closed() const { return closed_; }
    bool tls_active() const { return tls_active_; }
    const std::optional<RelayIdentity>& identity() const { return identity_; }

private:
    enum class Pending { None, StartTls, Authenticate, Deliver };
    enum class Phase { Command, AuthPlainResponse, AuthLoginUser, AuthLoginPassword, Data };
    enum class LineResult { None, Line, TooLong };
    enum class DataState { LineStart, LineStartAfterBareNewline, Dot, DotCr, Middle, Cr };

    void process(std::vector<SessionAction>& out);
    LineResult take_line(std::string& line);
    void command(std::string_view line, std::vector<SessionAction>& out);
    void data_bytes(std::vector<SessionAction>& out);
    void append_data(std::string_view bytes);
    void finish_data(std::vector<SessionAction>& out);

    void ehlo(std::string_view argument, bool extended, std::vector<SessionAction>& out);
    void auth(std::string_view argument, std::vector<SessionAction>& out);
    void auth_plain_response(std::string_view line, std::vector<SessionAction>& out);
    void auth_login_step(std::string_view line, std::vector<SessionAction>& out);
    void mail_from(std::string_view argument, std::vector<SessionAction>& out);
    void rcpt_to(std::string_view argument, std::vector<SessionAction>& out);
    void data(std::vector<SessionAction>& out);

    void reply(std::vector<SessionAction>& out, std::string_view text);
    void bad_command(std::vector<SessionAction>& out, std::string_view text);
    void close(std::vector<SessionAction>& out, std::string_view text);
    void ask_authentication(std::string user, std::string password, std::vector<SessionAction>& out);
    void reset_transaction();
    std::string received_line() const;

    SessionSettings settings_;
    std::string input_;
    std::size_t input_pos_ = 0;
    bool discarding_long_line_ = false;

    Pending pending_ = Pending::None;
    Phase phase_ = Phase::Command;
    bool closed_ = false;
    bool tls_active_ = false;
    std::optional<std::string> helo_;  // the client's EHLO/HELO argument
    bool extended_ = false;
    std::optional<RelayIdentity> identity_;
    std::string login_user_;
    int auth_failures_ = 0;
    int bad_commands_ = 0;

    std::optional<Envelope> envelope_;
    std::string message_;
    DataState data_state_ = DataState::LineStart;
    bool oversize_ = false;
    std::uint64_t transactions_ = 0;
};

// "<user@example.org>" with optional parameters after it: the address (without brackets) and the
// rest, or nullopt when the path is malformed. Source routes ("@a,@b:user@c") are accepted and
// dropped, as RFC 5321 §4.1.2 asks.
struct PathArgument {
    std::string address;
    std::string parameters;
};
std::optional<PathArgument> parse_path_argument(std::string_view text);

// A mailbox Tern will pass on: local@domain, printable ASCII or UTF-8 (SMTPUTF8 is not offered,
// but printers put UTF-8 in names, not in addresses), no spaces, brackets or control characters.
bool plausible_address(std::string_view address);

}  // namespace tern::mail::relay
