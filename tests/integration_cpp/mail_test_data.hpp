// Messages and names the mail integration tests create: unique per run, so tests that share a
// mailbox never see each other's mail.
#pragma once

#include <random>
#include <string>

namespace tern::test {

inline std::string unique_name(const std::string& prefix) {
    std::random_device rd;
    return prefix + "-" + std::to_string(rd() % 1000000000);
}

// A plain-text RFC 5322 message whose Subject and Message-ID are `subject`.
inline std::string test_message(const std::string& subject, const std::string& body,
                                const std::string& to = "someone@example.test") {
    return "From: Tern Tests <tests@example.test>\r\nTo: " + to + "\r\nSubject: " + subject +
           "\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <" + subject +
           "@tern.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n";
}

}  // namespace tern::test
