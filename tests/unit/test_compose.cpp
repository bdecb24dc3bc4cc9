// The composer's headless core: replies, forwards, mailto: links, address completion and drafts.
#include "temp_dir.hpp"
#include "tern/core/error.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/address_book.hpp"
#include "tern/mail/compose.hpp"
#include "tern/mail/drafts.hpp"
#include "tern/mail/mailto.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/outbox.hpp"
#include "tern/mail/reply_builder.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <iterator>

using namespace tern;
using namespace tern::mail;

namespace {

ParsedMessage original_message() {
    return parse_message(
        "Message-ID: <m3@x.test>\r\n"
        "In-Reply-To: <m2@x.test>\r\n"
        "References: <m1@x.test> <m2@x.test>\r\n"
        "From: Ann Archer <ann@x.test>\r\n"
        "To: me@tern.test, Bob <bob@y.test>\r\n"
        "Cc: ANN@x.test, Carol <carol@z.test>, bob@y.test\r\n"
        "Subject: Re: Lunch\r\n"
        "Date: Tue, 01 Dec 2026 12:00:00 +0000\r\n"
        "\r\n"
        "Shall we?\r\n"
        "> Where?\r\n"
        "\r\n"
        "Ann\r\n");
}

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct ComposeProfile {
    test::TempDir dir;
    Profile profile = Profile::open(dir.path());
    std::int64_t account = 0;
    ComposeProfile() {
        profile.db().exec("INSERT INTO accounts (email, provider, mode, created_at) VALUES ('me@tern.test', 'custom', "
                          "'password', 0)");
        account = profile.db().last_insert_rowid();
    }
};

}  // namespace

TEST_CASE("reply and forward subjects get one prefix, never a stack", "[compose]") {
    CHECK(reply_subject("Lunch") == "Re: Lunch");
    CHECK(reply_subject("Re: Lunch") == "Re: Lunch");
    CHECK(reply_subject("RE: Lunch") == "RE: Lunch");
    CHECK(reply_subject("Re[2]: Lunch") == "Re[2]: Lunch");
    CHECK(reply_subject("AW: Mittag") == "AW: Mittag");
    CHECK(reply_subject("Fwd: Lunch") == "Re: Fwd: Lunch");
    CHECK(reply_subject("Regards") == "Re: Regards");  // a word that starts like the prefix
    CHECK(reply_subject("") == "Re: ");
    CHECK(forward_subject("Lunch") == "Fwd: Lunch");
    CHECK(forward_subject("Fwd: Lunch") == "Fwd: Lunch");
    CHECK(forward_subject("FW: Lunch") == "FW: Lunch");
    CHECK(forward_subject("Re: Lunch") == "Fwd: Re: Lunch");
}

TEST_CASE("quoting puts \"> \" before each line and one more \">\" before quoted lines", "[compose]") {
    CHECK(quote_lines("one\ntwo\n") == "> one\n> two\n");
    CHECK(quote_lines("a\r\n> b\r\n>> c\r\n\r\nd") == "> a\n>> b\n>>> c\n>\n> d\n");
    CHECK(quote_lines("") == ">\n");
}

TEST_CASE("a reply answers the sender in the thread and quotes the text under who wrote it", "[compose]") {
    const auto reply = build_reply(original_message(), ReplyKind::Reply, {"me@tern.test"}, "On Tuesday, Ann wrote:");
    CHECK(reply.to == std::vector<std::string>{"Ann Archer <ann@x.test>"});
    CHECK(reply.cc.empty());
    CHECK(reply.subject == "Re: Lunch");
    CHECK(reply.in_reply_to == "m3@x.test");
    CHECK(reply.references == std::vector<std::string>{"m1@x.test", "m2@x.test", "m3@x.test"});
    CHECK(reply.body == "\n\nOn Tuesday, Ann wrote:\n> Shall we?\n>> Where?\n>\n> Ann\n");

    const auto attribution = default_attribution(original_message().date, sender_of(original_message()));
    CHECK(attribution.rfind("On ", 0) == 0);
    CHECK(attribution.find("2026") != std::string::npos);
    CHECK(attribution.find(", Ann Archer <ann@x.test> wrote:") != std::string::npos);
}

TEST_CASE("reply-all reaches everyone once, and not the person themselves", "[compose]") {
    const auto all = build_reply(original_message(), ReplyKind::ReplyAll, {"Me <ME@tern.test>"}, "x");
    CHECK(all.to == std::vector<std::string>{"Ann Archer <ann@x.test>", "Bob <bob@y.test>"});
    CHECK(all.cc == std::vector<std::string>{"Carol <carol@z.test>"});

    auto with_reply_to = original_message();
    with_reply_to.reply_to = {{"List", "list@x.test"}};
    const auto list = build_reply(with_reply_to, ReplyKind::Reply, {"me@tern.test"}, "x");
    CHECK(list.to == std::vector<std::string>{"List <list@x.test>"});

    // Answering one's own message (from Sent) writes to its recipients again.
    auto own = original_message();
    own.from = {{"", "me@tern.test"}};
    const auto again = build_reply(own, ReplyKind::ReplyAll, {"me@tern.test"}, "x");
    CHECK(again.to == std::vector<std::string>{"Bob <bob@y.test>"});
    CHECK(again.cc == std::vector<std::string>{"ANN@x.test", "Carol <carol@z.test>"});
}

TEST_CASE("a forward carries the original headers, text and attachments", "[compose]") {
    test::TempDir dir;
    const auto file = dir / "report.pdf";
    std::ofstream(file, std::ios::binary) << std::string("%PDF\0\x01\xff binary", 14);
    MessageDraft draft;
    draft.from = "Ann <ann@x.test>";
    draft.to = {"me@tern.test"};
    draft.subject = "Figures";
    draft.text = "See the file.\n";
    draft.attachments = {file};
    const auto raw = compose_message(draft).bytes;

    const auto saved = save_attachments(raw, dir / "forward");
    REQUIRE(saved.size() == 1);
    CHECK(saved[0].filename() == "report.pdf");
    CHECK(read_file(saved[0]) == read_file(file));

    const auto original = parse_message(raw);
    const auto forward = build_forward(original, default_forward_intro, saved);
    CHECK(forward.subject == "Fwd: Figures");
    CHECK(forward.to.empty());
    CHECK(forward.in_reply_to.empty());
    CHECK(forward.attachments == saved);
    CHECK(forward.body.find("-------- Forwarded message --------\nFrom: Ann <ann@x.test>\nDate: ") != std::string::npos);
    CHECK(forward.body.find("Subject: Figures\nTo: me@tern.test\n\nSee the file.\n") != std::string::npos);

    // The forward is a message that composes, with the file in it.
    auto fwd = forward;
    fwd.to = {"bob@y.test"};
    const auto again = parse_message(compose_message(to_message_draft(fwd, "me@tern.test")).bytes);
    REQUIRE(again.attachments.size() == 1);
    CHECK(again.attachments[0].filename == "report.pdf");
    CHECK(again.attachments[0].size == 14);
}

TEST_CASE("forwarded files keep their names, made safe and told apart", "[compose]") {
    test::TempDir dir;
    std::ofstream(dir / "a.txt") << "one";
    std::filesystem::create_directories(dir / "other");
    std::ofstream(dir / "other" / "a.txt") << "two";
    std::ofstream(dir / "..hidden") << "three";
    MessageDraft draft;
    draft.from = "ann@x.test";
    draft.to = {"me@tern.test"};
    draft.attachments = {dir / "a.txt", dir / "other" / "a.txt", dir / "..hidden"};
    const auto saved = save_attachments(compose_message(draft).bytes, dir / "out");
    REQUIRE(saved.size() == 3);
    CHECK(saved[0].filename() == "a.txt");
    CHECK(saved[1].filename() == "a (2).txt");
    CHECK(saved[2].filename() == "hidden");  // never a dot file, never outside the folder
    CHECK(read_file(saved[1]) == "two");
    for (const auto& file : saved) CHECK(file.parent_path() == dir / "out");
    CHECK(save_attachments("Subject: no files\r\n\r\ntext\r\n", dir / "none").empty());

    const std::string hostile = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                                "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                                "--b\r\nContent-Type: application/octet-stream\r\n"
                                "Content-Disposition: attachment; filename=\"../../evil.sh\"\r\n\r\nrm -rf\r\n--b--\r\n";
    const auto evil = save_attachments(hostile, dir / "hostile");
    REQUIRE(evil.size() == 1);
    CHECK(evil[0].parent_path() == dir / "hostile");
    CHECK_FALSE(std::filesystem::exists(dir / "evil.sh"));
}

TEST_CASE("a reply composes with In-Reply-To and the whole References chain", "[compose]") {
    auto reply = build_reply(original_message(), ReplyKind::Reply, {"me@tern.test"}, "x");
    const auto raw = compose_message(to_message_draft(reply, "me@tern.test")).bytes;
    const auto parsed = parse_message(raw);
    CHECK(parsed.in_reply_to == "m3@x.test");
    CHECK(parsed.references == std::vector<std::string>{"m1@x.test", "m2@x.test", "m3@x.test"});
    CHECK(parsed.subject == "Re: Lunch");
}

TEST_CASE("typed address lists split at commas outside quotes and brackets", "[compose]") {
    CHECK(split_addresses("a@x.test, \"Archer, Ann\" <ann@x.test>; b@y.test,, ") ==
          std::vector<std::string>{"a@x.test", "\"Archer, Ann\" <ann@x.test>", "b@y.test"});
    CHECK(split_addresses("  ").empty());
    CHECK(join_addresses({"a@x.test", "B <b@y.test>"}) == "a@x.test, B <b@y.test>");
    CHECK(address_key("Ann <Ann@X.test>") == "ann@x.test");
    CHECK(address_key(" bob@y.test ") == "bob@y.test");
}

TEST_CASE("mailto: links give recipients, subject and body, percent-decoded", "[compose]") {
    const auto f = parse_mailto("mailto:ann@x.test,bob@y.test?cc=carol@z.test&BCC=dave@z.test"
                                "&subject=Caf%C3%A9%20at+noon&body=Line%201%0D%0ALine%202&to=eve@z.test"
                                "&attach=/etc/passwd&In-Reply-To=%3Cm1@x.test%3E");
    CHECK(f.to == std::vector<std::string>{"ann@x.test", "bob@y.test", "eve@z.test"});
    CHECK(f.cc == std::vector<std::string>{"carol@z.test"});
    CHECK(f.bcc == std::vector<std::string>{"dave@z.test"});
    CHECK(f.subject == "Café at+noon");  // RFC 6068: "+" is a plus sign
    CHECK(f.body == "Line 1\nLine 2");
    CHECK(f.attachments.empty());  // a link never picks files
    CHECK(f.in_reply_to == "m1@x.test");

    CHECK(parse_mailto("MAILTO:%22Ann%20A%22%20%3Cann@x.test%3E").to == std::vector<std::string>{"\"Ann A\" <ann@x.test>"});
    CHECK(parse_mailto("mailto:?subject=no%2").subject == "no%2");
    CHECK(parse_mailto("mailto:").empty());
    CHECK_THROWS_AS(parse_mailto("http://x.test"), Error);
    CHECK_THROWS_AS(parse_mailto("mail"), Error);
}

namespace {

ServerMessage header_message(std::int64_t uid, const std::string& from, const std::string& to, std::int64_t date) {
    ServerMessage m;
    m.uid = uid;
    m.internal_date = date;
    m.header_bytes = "From: " + from + "\r\nTo: " + to + "\r\nSubject: s" + std::to_string(uid) +
                     "\r\nMessage-ID: <" + std::to_string(uid) + "@t>\r\n\r\n";
    return m;
}

}  // namespace

TEST_CASE("address completion: known senders and recipients by prefix, most used first", "[compose]") {
    ComposeProfile p;
    MessageStore store(p.profile.db());
    const auto inbox = store.upsert_folder(p.account, "INBOX", "/", "inbox");
    store.add_messages(inbox, {header_message(1, "Ann Archer <ann@x.test>", "me@tern.test", 100),
                               header_message(2, "Ann Archer <ann@x.test>", "me@tern.test, Andy <andy@y.test>", 200),
                               header_message(3, "\"Barnes, Bob\" <bob@y.test>", "me@tern.test", 300),
                               header_message(4, "Annika <ANN@x.test>", "me@tern.test", 400),
                               header_message(5, "Andrea <andrea@z.test>", "me@tern.test", 500)});

    const auto book = AddressBook::load(p.profile.db(), p.account, {"me@tern.test"});
    CHECK(book.size() == 4);  // ann (3 times, any case), andy, bob, andrea; not me
    const auto an = book.complete("an");
    REQUIRE(an.size() == 3);
    CHECK(an[0].address == "ANN@x.test");  // the newest spelling and name
    CHECK(an[0].name == "Annika");
    CHECK(an[0].uses == 3);
    CHECK(an[0].last_used == 400);
    CHECK(an[1].address == "andrea@z.test");  // used once, but more recently than andy
    CHECK(an[2].address == "andy@y.test");

    CHECK(book.complete("BARN").size() == 1);  // a word of the name
    CHECK(format_known_address(book.complete("barn")[0]) == "\"Barnes, Bob\" <bob@y.test>");
    CHECK(format_known_address(book.complete("andy")[0]) == "Andy <andy@y.test>");
    CHECK(book.complete("me").empty());
    CHECK(book.complete("").empty());
    CHECK(book.complete("an", 1).size() == 1);
    CHECK(book.complete("zed").empty());
    CHECK(AddressBook::load(p.profile.db(), p.account + 1).size() == 0);  // another account's mail is its own
}

TEST_CASE("drafts survive reopening the profile and are updated in place", "[compose]") {
    test::TempDir dir;
    ComposeFields fields;
    fields.to = {"ann@x.test", "B <b@y.test>"};
    fields.subject = "Grüße";
    fields.body = "Half written\n";
    fields.attachments = {dir / "a file.txt"};
    fields.in_reply_to = "m1@x.test";
    fields.references = {"m0@x.test", "m1@x.test"};
    std::int64_t id = 0, account = 0;
    {
        Profile profile = Profile::open(dir.path());
        profile.db().exec("INSERT INTO accounts (email, provider, mode, created_at) VALUES ('me@tern.test', 'custom', 'password', 0)");
        account = profile.db().last_insert_rowid();
        DraftStore drafts(profile.db());
        id = drafts.save(account, 0, fields);
        CHECK(id > 0);
        fields.body += "More\n";
        CHECK(drafts.save(account, id, fields) == id);
    }
    Profile reopened = Profile::open(dir.path());
    DraftStore drafts(reopened.db());
    const auto loaded = drafts.load(id);
    REQUIRE(loaded);
    CHECK(loaded->fields == fields);
    CHECK(loaded->account_id == account);
    REQUIRE(drafts.list(account).size() == 1);
    CHECK(drafts.save(account, id + 100, fields) != id + 100);  // a draft removed meanwhile comes back new
    CHECK(drafts.list(account).size() == 2);
    CHECK(drafts.remove(id));
    CHECK_FALSE(drafts.remove(id));
    CHECK_FALSE(drafts.load(id));
    CHECK(ComposeFields{}.empty());
    CHECK_FALSE(fields.empty());
}

TEST_CASE("queueing a draft puts the message in the outbox and removes the draft together", "[compose]") {
    ComposeProfile p;
    DraftStore drafts(p.profile.db());
    Outbox outbox(p.profile.db());
    ComposeFields fields;
    fields.to = {"bob@y.test"};
    fields.subject = "Queued";
    fields.body = "Hello\n";
    const auto id = drafts.save(p.account, 0, fields);

    SECTION("a message that composes") {
        const auto queued = queue_message(p.profile.db(), p.account, "Me <me@tern.test>", fields, id);
        const auto entry = outbox.entry(queued.outbox_id);
        REQUIRE(entry);
        CHECK(entry->subject == "Queued");
        CHECK(entry->recipients == std::vector<std::string>{"bob@y.test"});
        CHECK(entry->state == OutboxState::Queued);
        CHECK(parse_message(outbox.submission(queued.outbox_id).message).message_id == queued.message_id);
        CHECK_FALSE(drafts.load(id));
    }
    SECTION("a message that does not: the draft stays, nothing is queued") {
        fields.to = {"bob"};
        CHECK_THROWS_AS(queue_message(p.profile.db(), p.account, "me@tern.test", fields, id), Error);
        CHECK(drafts.load(id));
        CHECK(outbox.entries().empty());
    }
}
