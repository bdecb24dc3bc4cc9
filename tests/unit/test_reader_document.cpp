// The reader's HTML document: the policy comes first and cannot be loosened by the message, the
// message's own images are embedded, remote references are recognised, attachments are decoded.
#include "temp_dir.hpp"
#include "tern/core/base64.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/parsed_message.hpp"
#include "tern/mail/reader_document.hpp"
#include "tern/mail/remote_content_senders.hpp"

#include <catch2/catch.hpp>

using namespace tern;
using namespace tern::mail;

namespace {

const std::string html_message =
    "From: Ann <ann@example.test>\r\n"
    "To: bob@example.test\r\n"
    "Subject: Newsletter\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/related; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src *\"></head>"
    "<body><p>Hello</p><img src=\"cid:logo@x\"><script>alert(1)</script></body></html>\r\n"
    "--b1\r\n"
    "Content-Type: image/png\r\n"
    "Content-ID: <logo@x>\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "iVBORw0KGgo=\r\n"
    "--b1\r\n"
    "Content-Type: application/pdf; name=\"scan.pdf\"\r\n"
    "Content-Disposition: attachment; filename=\"scan.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--b1--\r\n";

}  // namespace

TEST_CASE("reader document: the policy is the first thing in the head and blocks scripts and remote content", "[reader]") {
    const auto parsed = parse_message(html_message);
    const auto doc = reader_document(html_message, parsed, false);
    const auto policy = doc.html.find("Content-Security-Policy");
    REQUIRE(policy != std::string::npos);
    // Before anything of the message, so the message's own (looser) policy can only add limits.
    CHECK(policy < doc.html.find("<p>Hello"));
    CHECK(policy < doc.html.find("default-src *"));
    CHECK(doc.html.find("default-src 'none'") != std::string::npos);
    CHECK(doc.html.find("http:") == std::string::npos);
    CHECK(reader_content_policy(false).find("script") == std::string::npos);  // scripts fall under default-src 'none'
    CHECK(reader_content_policy(true).find("img-src data: http: https:") != std::string::npos);
    CHECK(reader_content_policy(true).find("script") == std::string::npos);  // allowing images never allows scripts
}

TEST_CASE("reader document: the message's own images become data: URIs", "[reader]") {
    const auto parsed = parse_message(html_message);
    const auto doc = reader_document(html_message, parsed, false);
    CHECK(doc.html.find("cid:logo@x") == std::string::npos);
    CHECK(doc.html.find("src=\"data:image/png;base64," + base64_encode(std::string("\x89PNG\r\n\x1a\n", 8)) + "\"") !=
          std::string::npos);
    CHECK_FALSE(doc.has_remote_content);
}

TEST_CASE("reader document: remote references are recognised, look-alikes are not", "[reader]") {
    CHECK(refers_to_remote_content("<img src=\"https://tracker.example/p.gif\">"));
    CHECK(refers_to_remote_content("<IMG SRC = 'http://x/p.gif'>"));
    CHECK(refers_to_remote_content("<img src=//cdn.example/p.gif>"));
    CHECK(refers_to_remote_content("<td background=\"http://x/bg.png\">"));
    CHECK(refers_to_remote_content("<div style=\"background:url( 'https://x/a.png')\">"));
    CHECK(refers_to_remote_content("<style>@import 'https://x/a.css';</style>"));
    CHECK(refers_to_remote_content("<link rel=\"stylesheet\" href=\"https://x/a.css\">"));
    CHECK(refers_to_remote_content("<img srcset=\"https://x/a.png 2x\">"));
    CHECK_FALSE(refers_to_remote_content("<a href=\"https://example.org\">a link is not loaded by itself</a>"));
    CHECK_FALSE(refers_to_remote_content("<img data-src=\"https://x/a.png\" src=\"data:image/png;base64,AA==\">"));
    CHECK_FALSE(refers_to_remote_content("<p>see https://example.org</p>"));
}

TEST_CASE("attachment content: the decoded bytes by index, nothing for an index past the end", "[reader]") {
    const auto parsed = parse_message(html_message);
    REQUIRE(parsed.attachments.size() == 2);
    CHECK(parsed.attachments[1].filename == "scan.pdf");
    CHECK(attachment_content(html_message, 1) == std::optional<std::string>("%PDF-1.4\n"));
    CHECK(attachment_content(html_message, 0)->substr(1, 3) == "PNG");
    CHECK_FALSE(attachment_content(html_message, 2).has_value());
}

TEST_CASE("remote content: allowed per sender, without regard to case, until taken back", "[reader]") {
    test::TempDir dir;
    auto profile = Profile::open(dir.path());
    auto& db = profile.db();
    CHECK_FALSE(remote_content_allowed(db, "news@shop.example"));
    allow_remote_content(db, "News@Shop.Example");
    CHECK(remote_content_allowed(db, "news@shop.example"));
    CHECK_FALSE(remote_content_allowed(db, "other@shop.example"));
    CHECK_FALSE(remote_content_allowed(db, ""));
    allow_remote_content(db, "news@shop.example");  // twice is once
    forbid_remote_content(db, "NEWS@shop.example");
    CHECK_FALSE(remote_content_allowed(db, "news@shop.example"));
}
