// The relay's SMTP conversation (mail/relay/smtp_server_session): what a printer may and may not do.
#include "relay_session_driver.hpp"

#include "tern/core/base64.hpp"

#include <catch2/catch.hpp>

using tern::test::RelaySessionDriver;
using namespace std::string_literals;

namespace {

std::string plain(const std::string& user, const std::string& password) {
    return tern::base64_encode("\0"s + user + "\0"s + password);
}

// EHLO, STARTTLS, EHLO again and AUTH PLAIN: a device ready to send.
void sign_in(RelaySessionDriver& d) {
    d.send("EHLO printer.local\r\n");
    d.send("STARTTLS\r\n");
    d.send("EHLO printer.local\r\n");
    REQUIRE(d.send("AUTH PLAIN " + plain(d.user, d.password) + "\r\n").rfind("235 ", 0) == 0);
}

}  // namespace

TEST_CASE("relay session: greeting and EHLO offer STARTTLS, and AUTH only inside TLS", "[relay]") {
    RelaySessionDriver d;
    CHECK(d.replies.rfind("220 tern-relay ESMTP", 0) == 0);
    const auto clear = d.send("EHLO printer.local\r\n");
    CHECK(clear.find("250 STARTTLS\r\n") != std::string::npos);  // the last line
    CHECK(clear.find("AUTH") == std::string::npos);
    CHECK(clear.find("250-SIZE 36700160\r\n") != std::string::npos);
    CHECK(clear.find("8BITMIME") != std::string::npos);
    CHECK(clear.find("PIPELINING") != std::string::npos);
    CHECK(d.send("AUTH PLAIN " + plain(d.user, d.password) + "\r\n") == "530 5.7.0 Must issue a STARTTLS command first\r\n");
    CHECK(d.send("MAIL FROM:<scanner@example.test>\r\n") == "530 5.7.0 Must issue a STARTTLS command first\r\n");

    CHECK(d.send("STARTTLS\r\n") == "220 2.0.0 Ready to start TLS\r\n");
    CHECK(d.handshakes == 1);
    CHECK(d.session.tls_active());
    CHECK(d.send("MAIL FROM:<scanner@example.test>\r\n") == "503 5.5.1 Send EHLO first\r\n");  // state was reset
    const auto inside = d.send("EHLO printer.local\r\n");
    CHECK(inside.find("AUTH PLAIN LOGIN") != std::string::npos);
    CHECK(inside.find("STARTTLS") == std::string::npos);
    CHECK(d.send("STARTTLS\r\n") == "503 5.5.1 TLS is already active\r\n");
}

TEST_CASE("relay session: commands pipelined after STARTTLS are thrown away", "[relay]") {
    RelaySessionDriver d;
    d.send("EHLO printer.local\r\n");
    // An attacker in the middle appends commands to the clear-text STARTTLS packet.
    const auto answer = d.send("STARTTLS\r\nEHLO evil\r\nAUTH PLAIN " + plain(d.user, d.password) + "\r\n");
    CHECK(answer == "220 2.0.0 Ready to start TLS\r\n");
    CHECK_FALSE(d.session.identity().has_value());
    CHECK(d.send("MAIL FROM:<scanner@example.test>\r\n") == "503 5.5.1 Send EHLO first\r\n");
}

TEST_CASE("relay session: AUTH PLAIN and AUTH LOGIN, in one line or in steps", "[relay]") {
    SECTION("PLAIN with the response on its own line") {
        RelaySessionDriver d;
        d.send("EHLO p\r\nSTARTTLS\r\n");
        d.send("EHLO p\r\n");
        CHECK(d.send("AUTH PLAIN\r\n") == "334 \r\n");
        CHECK(d.send(plain(d.user, d.password) + "\r\n") == "235 2.7.0 Authentication successful\r\n");
        CHECK(d.session.identity()->device_id == 7);
        CHECK(d.send("AUTH PLAIN " + plain(d.user, d.password) + "\r\n") == "503 5.5.1 Already authenticated\r\n");
    }
    SECTION("LOGIN in two steps") {
        RelaySessionDriver d;
        d.send("EHLO p\r\nSTARTTLS\r\n");
        d.send("EHLO p\r\n");
        CHECK(d.send("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
        CHECK(d.send(tern::base64_encode(d.user) + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
        CHECK(d.send(tern::base64_encode(d.password) + "\r\n") == "235 2.7.0 Authentication successful\r\n");
    }
    SECTION("LOGIN with the user name on the AUTH line, then cancelled") {
        RelaySessionDriver d;
        d.send("EHLO p\r\nSTARTTLS\r\n");
        d.send("EHLO p\r\n");
        CHECK(d.send("AUTH LOGIN " + tern::base64_encode(d.user) + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
        CHECK(d.send("*\r\n") == "501 5.7.0 Authentication cancelled\r\n");
        CHECK_FALSE(d.session.identity().has_value());
    }
    SECTION("an unknown mechanism and undecodable responses") {
        RelaySessionDriver d;
        d.send("EHLO p\r\nSTARTTLS\r\n");
        d.send("EHLO p\r\n");
        CHECK(d.send("AUTH CRAM-MD5\r\n").rfind("504 5.5.4", 0) == 0);
        CHECK(d.send("AUTH PLAIN !!!notbase64\r\n").rfind("501 5.5.2", 0) == 0);
        CHECK(d.send("AUTH PLAIN " + tern::base64_encode("no separators") + "\r\n").rfind("501 5.5.2", 0) == 0);
    }
}

TEST_CASE("relay session: wrong passwords get 535, the third closes the connection", "[relay]") {
    RelaySessionDriver d;
    d.send("EHLO p\r\nSTARTTLS\r\n");
    d.send("EHLO p\r\n");
    CHECK(d.send("AUTH PLAIN " + plain(d.user, "wrong") + "\r\n") == "535 5.7.8 Authentication credentials invalid\r\n");
    CHECK(d.send("AUTH PLAIN " + plain("someone-else", d.password) + "\r\n") ==
          "535 5.7.8 Authentication credentials invalid\r\n");
    CHECK_FALSE(d.closed);
    CHECK(d.send("AUTH PLAIN " + plain(d.user, "wrong again") + "\r\n").rfind("421 4.7.0", 0) == 0);
    CHECK(d.closed);
    CHECK(d.session.closed());
    CHECK(d.send("AUTH PLAIN " + plain(d.user, d.password) + "\r\n").empty());  // nothing more is heard
}

TEST_CASE("relay session: no mail without AUTH, and only the device's mailbox as sender", "[relay]") {
    RelaySessionDriver d;
    d.send("EHLO p\r\nSTARTTLS\r\n");
    d.send("EHLO p\r\n");
    CHECK(d.send("MAIL FROM:<scanner@example.test>\r\n") == "530 5.7.0 Authentication required\r\n");
    CHECK(d.send("AUTH PLAIN " + plain(d.user, d.password) + "\r\n").rfind("235", 0) == 0);
    const auto foreign = d.send("MAIL FROM:<ceo@example.test>\r\n");
    CHECK(foreign.rfind("550 5.7.1 Sender <ceo@example.test> is not allowed", 0) == 0);
    CHECK(foreign.find("<scanner@example.test>") != std::string::npos);
    CHECK(d.send("MAIL FROM:<>\r\n").rfind("550 5.7.1", 0) == 0);
    CHECK(d.send("RCPT TO:<bob@example.test>\r\n") == "503 5.5.1 Need MAIL before RCPT\r\n");
    CHECK(d.send("MAIL FROM: <Scanner@Example.TEST> BODY=8BITMIME SIZE=1000\r\n") == "250 2.1.0 Sender ok\r\n");
    CHECK(d.send("MAIL FROM:<scanner@example.test>\r\n") == "503 5.5.1 Nested MAIL command\r\n");
}

TEST_CASE("relay session: a whole message, pipelined, with dots and line ends as they come", "[relay]") {
    RelaySessionDriver d;
    sign_in(d);
    const auto answer = d.send(
        "MAIL FROM:<scanner@example.test>\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<carol@example.test>\r\nDATA\r\n");
    CHECK(answer == "250 2.1.0 Sender ok\r\n250 2.1.5 Recipient ok\r\n250 2.1.5 Recipient ok\r\n"
                    "354 End data with <CR><LF>.<CR><LF>\r\n");
    const auto done = d.send("Subject: scan\r\n\r\n..starts with a dot\r\nbare\nnewline\n.\r\nstill text\r\n.\r\nQUIT\r\n");
    CHECK(done == "250 2.0.0 Ok: queued as Q1\r\n221 2.0.0 Bye\r\n");
    REQUIRE(d.delivered.size() == 1);
    const auto& message = d.delivered[0].message;
    CHECK(message.rfind("Received: from p", 0) == 0);
    CHECK(message.find("with ESMTPSA") != std::string::npos);
    const auto body = message.substr(message.find("Subject: scan"));
    // The stuffed dot is gone; bare LF became CRLF; "\n.\r\n" was text, not the end.
    CHECK(body == "Subject: scan\r\n\r\n.starts with a dot\r\nbare\r\nnewline\r\n.\r\nstill text\r\n");
    CHECK(d.delivered[0].envelope.sender == "scanner@example.test");
    CHECK(d.delivered[0].envelope.recipients == std::vector<std::string>{"bob@example.test", "carol@example.test"});
    CHECK(d.delivered[0].identity.device_id == 7);
    CHECK(d.closed);
}

TEST_CASE("relay session: a message fed one byte at a time is the same message", "[relay]") {
    const std::string transaction =
        "MAIL FROM:<scanner@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
        "Subject: bytes\r\n\r\nline one\r\n.dot\r\n..two dots\r\n\r\n.\r\n";
    RelaySessionDriver whole;
    sign_in(whole);
    whole.send(transaction);
    RelaySessionDriver bytes;
    sign_in(bytes);
    for (const char c : transaction) bytes.send(std::string(1, c));
    REQUIRE(whole.delivered.size() == 1);
    REQUIRE(bytes.delivered.size() == 1);
    const auto body = [](const std::string& m) { return m.substr(m.find("Subject:")); };
    CHECK(body(whole.delivered[0].message) == body(bytes.delivered[0].message));
    CHECK(body(bytes.delivered[0].message) == "Subject: bytes\r\n\r\nline one\r\ndot\r\n.two dots\r\n\r\n");
}

TEST_CASE("relay session: size and recipient limits", "[relay]") {
    tern::mail::relay::SessionSettings settings;
    settings.limits.max_message_bytes = 1000;
    settings.limits.max_recipients = 2;
    RelaySessionDriver d(settings);
    sign_in(d);
    CHECK(d.send("MAIL FROM:<scanner@example.test> SIZE=1001\r\n").rfind("552 5.3.4", 0) == 0);
    CHECK(d.send("MAIL FROM:<scanner@example.test> SIZE=12x\r\n").rfind("501 5.5.4", 0) == 0);
    CHECK(d.send("MAIL FROM:<scanner@example.test> FOO=BAR\r\n").rfind("555 5.5.4", 0) == 0);
    CHECK(d.send("MAIL FROM:<scanner@example.test> SIZE=900\r\n") == "250 2.1.0 Sender ok\r\n");
    CHECK(d.send("RCPT TO:<not an address>\r\n").rfind("501", 0) == 0);
    CHECK(d.send("RCPT TO:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\n") ==
          "250 2.1.5 Recipient ok\r\n250 2.1.5 Recipient ok\r\n452 4.5.3 Too many recipients\r\n");
    d.send("DATA\r\n");
    // Larger than the SIZE it announced: read to the end, then refused; nothing is delivered.
    const auto answer = d.send("Subject: big\r\n\r\n" + std::string(2000, 'x') + "\r\n.\r\n");
    CHECK(answer.rfind("552 5.3.4", 0) == 0);
    CHECK(d.delivered.empty());
    // The connection is still usable for the next message.
    CHECK(d.send("MAIL FROM:<scanner@example.test>\r\n") == "250 2.1.0 Sender ok\r\n");
}

TEST_CASE("relay session: a spool that cannot store answers 451 and the device keeps its message", "[relay]") {
    RelaySessionDriver d;
    d.spool_works = false;
    sign_in(d);
    const auto answer = d.send("MAIL FROM:<scanner@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\nhi\r\n.\r\n");
    CHECK(answer.find("451 4.3.0") != std::string::npos);
    CHECK(answer.find("250 2.0.0") == std::string::npos);
}

TEST_CASE("relay session: nonsense, overlong lines and timeouts", "[relay]") {
    tern::mail::relay::SessionSettings settings;
    settings.limits.max_bad_commands = 4;
    settings.limits.max_command_line = 100;
    RelaySessionDriver d(settings);
    CHECK(d.send("MAIL FROM:<x@y>\r\n") == "503 5.5.1 Send EHLO first\r\n");
    CHECK(d.send(std::string(150, 'A') + "\r\n") == "500 5.5.2 Line too long\r\n");
    // A line that grows past the limit before its end arrives is answered once, when it ends.
    CHECK(d.send(std::string(150, 'B')).empty());
    CHECK(d.send(std::string(150, 'B') + "\r\nNOOP\r\n") == "500 5.5.2 Line too long\r\n250 2.0.0 Ok\r\n");
    CHECK(d.send("XYZZY\r\n").rfind("421 4.7.0 Too many errors", 0) == 0);
    CHECK(d.closed);

    RelaySessionDriver idle;
    idle.run(idle.session.timed_out());
    CHECK(idle.replies.find("421 4.4.2") != std::string::npos);
    CHECK(idle.closed);
}

TEST_CASE("relay session: path arguments and addresses", "[relay]") {
    using tern::mail::relay::parse_path_argument;
    using tern::mail::relay::plausible_address;
    CHECK(parse_path_argument("<a@b.c>")->address == "a@b.c");
    CHECK(parse_path_argument(" <a@b.c> SIZE=10")->parameters == "SIZE=10");
    CHECK(parse_path_argument("<@relay.one,@relay.two:a@b.c>")->address == "a@b.c");
    CHECK_FALSE(parse_path_argument("a@b.c"));
    CHECK_FALSE(parse_path_argument("<a@b.c"));
    CHECK_FALSE(parse_path_argument("<a@b.c>SIZE=1"));
    CHECK(plausible_address("bob@example.test"));
    CHECK_FALSE(plausible_address("bob"));
    CHECK_FALSE(plausible_address("@example.test"));
    CHECK_FALSE(plausible_address("bob@"));
    CHECK_FALSE(plausible_address("bob smith@example.test"));
    CHECK_FALSE(plausible_address("bob@example..test"));
}

// Found by fuzz/relay_session_fuzzer.cpp: the EHLO greeting, the 550 for a foreign sender and the
// 555 for an unknown MAIL parameter echoed the client's bytes, bare CR and 8-bit bytes included,
// into reply lines that may only carry printable US-ASCII (RFC 5321 §4.2).
TEST_CASE("relay session: client text echoed in a reply is printable US-ASCII only", "[relay]") {
    RelaySessionDriver d;
    const auto greeting = d.send("EHLO printer\r\xcb\tx\r\n");
    CHECK(greeting.rfind("250-tern-relay greets printer???x\r\n", 0) == 0);
    sign_in(d);
    CHECK(d.send("MAIL FROM:<sc\ranner@example.test>\r\n") ==
          "550 5.7.1 Sender <sc?anner@example.test> is not allowed: this device sends as <scanner@example.test>\r\n");
    CHECK(d.send("MAIL FROM:<scanner@example.test> X\xff\r=1\r\n") == "555 5.5.4 Unsupported MAIL parameter X??\r\n");
}
