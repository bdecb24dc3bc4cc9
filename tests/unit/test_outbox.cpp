#include "temp_dir.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/message_composer.hpp"
#include "tern/mail/outbox.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace tern;
using namespace tern::mail;

namespace {

struct OutboxProfile {
    test::TempDir dir;
    Profile profile = Profile::open(dir.path());
    std::int64_t account = 0;
    Outbox outbox{profile.db()};
    OutboxProfile() {
        profile.db().exec("INSERT INTO accounts (email, provider, mode, created_at) VALUES ('a@x.test', 'custom', "
                          "'password', 0)");
        account = profile.db().last_insert_rowid();
    }
};

}  // namespace

TEST_CASE("a queued message is on disk before enqueue returns, and survives reopening", "[outbox]") {
    test::TempDir dir;
    std::int64_t id = 0;
    {
        Profile profile = Profile::open(dir.path());
        profile.db().exec("INSERT INTO accounts (email, provider, mode, created_at) VALUES ('a@x.test', 'custom', 'password', 0)");
        Outbox outbox(profile.db());
        id = outbox.enqueue(profile.db().last_insert_rowid(), {"a@x.test", {"b@x.test"}, "Subject: hi\r\n\r\nbody\r\n"}, "hi");
    }
    Profile reopened = Profile::open(dir.path());
    Outbox outbox(reopened.db());
    const auto entry = outbox.entry(id);
    REQUIRE(entry);
    CHECK(entry->state == OutboxState::Queued);
    CHECK(entry->recipients == std::vector<std::string>{"b@x.test"});
    CHECK(outbox.submission(id).message == "Subject: hi\r\n\r\nbody\r\n");
}

TEST_CASE("bad outbox input is refused with a reason and nothing is written", "[outbox]") {
    OutboxProfile p;
    CHECK_THROWS_AS(p.outbox.enqueue(p.account, {"a@x.test", {}, "x"}, "s"), Error);
    CHECK_THROWS_AS(p.outbox.enqueue(p.account, {"a@x.test", {"b@x.test"}, ""}, "s"), Error);
    CHECK(p.outbox.entries().empty());
}

TEST_CASE("retries wait longer each time up to an hour, or as long as the server asks", "[outbox]") {
    CHECK(retry_delay(1, std::nullopt).count() == 30);
    CHECK(retry_delay(2, std::nullopt).count() == 60);
    CHECK(retry_delay(5, std::nullopt).count() == 480);
    CHECK(retry_delay(50, std::nullopt).count() == 3600);
    CHECK(retry_delay(1, std::chrono::seconds(13)).count() == 13);
}

TEST_CASE("the outbox states: sending, retry, accepted, failed, interrupted, sent", "[outbox]") {
    OutboxProfile p;
    const auto id = p.outbox.enqueue(p.account, {"a@x.test", {"b@x.test"}, "x"}, "s");
    CHECK(p.outbox.due(p.account, 0) == std::vector<std::int64_t>{id});
    p.outbox.mark_sending(id);
    CHECK(p.outbox.due(p.account, 0).empty());
    // A crash while sending: the next start queues it again.
    CHECK(p.outbox.recover_interrupted() == 1);
    CHECK(p.outbox.entry(id)->state == OutboxState::Queued);

    p.outbox.mark_sending(id);
    p.outbox.schedule_retry(id, Error(ErrorCategory::Network, "The network is down."), 1000);
    auto e = p.outbox.entry(id);
    CHECK(e->state == OutboxState::Queued);
    CHECK(e->attempts == 2);
    CHECK(e->last_error == "The network is down.");
    CHECK(e->last_error_category == "network");
    CHECK(p.outbox.due(p.account, 999).empty());
    CHECK(p.outbox.due(p.account, 1000).size() == 1);

    // Accepted by the server; the Sent copy failed: it stays accepted, only the copy is retried.
    p.outbox.mark_accepted(id, "250 2.0.0 Ok");
    p.outbox.schedule_retry(id, Error(ErrorCategory::Network, "IMAP down"), 2000);
    CHECK(p.outbox.entry(id)->state == OutboxState::Accepted);
    CHECK(p.outbox.entry(id)->server_reply == "250 2.0.0 Ok");
    p.outbox.mark_sent(id);
    CHECK_FALSE(p.outbox.entry(id));

    const auto refused = p.outbox.enqueue(p.account, {"a@x.test", {"b@x.test"}, "x"}, "s2");
    p.outbox.mark_failed(refused, Error(ErrorCategory::PolicyBlocked, "SMTP AUTH is disabled.", {},
                                        ProtocolContext{"MAIL", "535 5.7.139 disabled", "535 5.7.139"}));
    e = p.outbox.entry(refused);
    CHECK(e->state == OutboxState::Failed);
    CHECK(e->server_reply == "535 5.7.139 disabled");
    CHECK(p.outbox.due(p.account, 1 << 30).empty());
}

TEST_CASE("a composed message has encoded headers, no Bcc line, and every recipient in the envelope",
          "[composer]") {
    test::TempDir dir;
    {
        std::ofstream(dir / "report.pdf", std::ios::binary) << std::string("%PDF-1.4\0binary", 15);
    }
    MessageDraft d;
    d.from = "Zoë Example <zoe@example.test>";
    d.to = {"Bob <bob@example.test>"};
    d.cc = {"carol@example.test"};
    d.bcc = {"secret@example.test"};
    d.subject = "Grüße aus Tern";
    d.text = "Hallo Bob,\nschöne Grüße.\n";
    d.attachments = {dir / "report.pdf"};
    const auto m = compose_message(d);
    CHECK(m.envelope_from == "zoe@example.test");
    CHECK(m.recipients == std::vector<std::string>{"bob@example.test", "carol@example.test", "secret@example.test"});
    CHECK(m.bytes.find("secret@example.test") == std::string::npos);
    CHECK(m.bytes.find("Grüße") == std::string::npos);  // headers are encoded, the body is not raw 8-bit
    CHECK(m.bytes.find("=?utf-8?") != std::string::npos);
    CHECK(m.bytes.find("report.pdf") != std::string::npos);
    CHECK(m.bytes.find("Message-Id: <" + m.message_id + ">") != std::string::npos);
    CHECK(m.message_id.find("@example.test") != std::string::npos);
}

TEST_CASE("a draft with a bad address, no recipient or a missing file is refused", "[composer]") {
    MessageDraft d;
    d.from = "me@example.test";
    CHECK_THROWS_AS(compose_message(d), Error);
    d.to = {"not an address"};
    CHECK_THROWS_AS(compose_message(d), Error);
    d.to = {"you@example.test"};
    d.attachments = {"/nonexistent/file.txt"};
    try {
        compose_message(d);
        FAIL("a missing attachment was accepted");
    } catch (const Error& e) {
        CHECK(e.category() == ErrorCategory::BadInput);
        CHECK(e.message().find("/nonexistent/file.txt") != std::string::npos);
    }
}

TEST_CASE("retry_now makes waiting messages due at once, and leaves failed ones failed", "[outbox]") {
    OutboxProfile p;
    const auto waiting = p.outbox.enqueue(p.account, {"a@x.test", {"b@x.test"}, "x"}, "waiting");
    const auto refused = p.outbox.enqueue(p.account, {"a@x.test", {"b@x.test"}, "x"}, "refused");
    p.outbox.mark_sending(waiting);
    p.outbox.schedule_retry(waiting, Error(ErrorCategory::AuthRejected, "Sign-in refused."), 5000);
    p.outbox.mark_failed(refused, Error(ErrorCategory::PolicyBlocked, "SMTP AUTH is disabled."));
    CHECK(p.outbox.due(p.account, 100).empty());
    CHECK(p.outbox.retry_now(p.account) == 1);
    CHECK(p.outbox.due(p.account, 100) == std::vector<std::int64_t>{waiting});
    CHECK(p.outbox.entry(refused)->state == OutboxState::Failed);
}
