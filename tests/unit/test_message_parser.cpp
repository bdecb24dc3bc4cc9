#include "tern/core/error.hpp"
#include "tern/mail/parsed_message.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>

using tern::mail::Mailbox;
using tern::mail::parse_message;

namespace {

// Test messages are written with \n; mail on the wire has \r\n.
std::string crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

}  // namespace

TEST_CASE("envelope headers are decoded", "[parser]") {
    const auto m = parse_message(crlf(R"(Return-Path: <alice@example.org>
Received: from mx.example.org by mx.example.net; Tue, 2 Jan 2024 10:00:00 +0000
Message-ID: <abc.123@example.org>
In-Reply-To: <parent@example.net> (the parent)
References: <root@example.net>
 <parent@example.net>
Date: Tue, 2 Jan 2024 11:30:15 +0100 (CET)
From: "Smith, Alice" <alice@example.org>
To: bob@example.net, "Carol" <carol@example.net>,
 Dave <dave@example.net>
Cc: Team: erin@example.net, frank@example.net;, grace@example.net (Grace Hopper)
Reply-To: <replies@example.org>
Subject: Quarterly
 report
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello Bob,
the report is attached.
)"));
    CHECK(m.message_id == "abc.123@example.org");
    CHECK(m.in_reply_to == "parent@example.net");
    CHECK(m.references == std::vector<std::string>{"root@example.net", "parent@example.net"});
    CHECK(m.subject == "Quarterly report");
    CHECK(m.date == 1704191415);  // 2024-01-02T10:30:15Z
    CHECK(m.from == std::vector<Mailbox>{{"Smith, Alice", "alice@example.org"}});
    CHECK(m.to == std::vector<Mailbox>{{"", "bob@example.net"}, {"Carol", "carol@example.net"}, {"Dave", "dave@example.net"}});
    CHECK(m.cc == std::vector<Mailbox>{{"", "erin@example.net"}, {"", "frank@example.net"}, {"Grace Hopper", "grace@example.net"}});
    CHECK(m.reply_to == std::vector<Mailbox>{{"", "replies@example.org"}});
    CHECK(m.content_type == "text/plain");
    CHECK(m.text_body == "Hello Bob,\nthe report is attached.\n");
    CHECK(m.html_body.empty());
    CHECK(m.attachments.empty());
    CHECK_FALSE(m.has_attachments);
}

TEST_CASE("RFC 2047 encoded words in UTF-8 and ISO-8859-1", "[parser]") {
    const auto m = parse_message(crlf(R"(From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>
To: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg@example.de>, "=?utf-8?q?Fran=C3=A7oise?=" <f@example.fr>
Cc: =?iso-8859-1?q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>
Subject: =?UTF-8?B?UHLDvGZ1bmc6IPCfmoA=?= =?UTF-8?Q?_und_=C3=A4?=
 plain tail
Date: 5 Mar 2023 08:00 GMT

body
)"));
    CHECK(m.subject == "Prüfung: 🚀 und ä plain tail");
    CHECK(m.from == std::vector<Mailbox>{{"André Pirard", "PIRARD@vm1.ulg.ac.be"}});
    CHECK(m.to == std::vector<Mailbox>{{"Jörg Müller", "joerg@example.de"}, {"Françoise", "f@example.fr"}});
    CHECK(m.cc == std::vector<Mailbox>{{"Keld Jørn Simonsen", "keld@dkuug.dk"}});
    CHECK(m.date == 1678003200);
}

TEST_CASE("an encoded word holding a comma or colon is one name", "[parser]") {
    const auto m = parse_message("To: =?utf-8?Q?Doe,_J=C3=B6hn:?= <j@example.org>, =?utf-8?q?x?= y <y@example.org>\r\n\r\n");
    CHECK(m.to == std::vector<Mailbox>{{"Doe, Jöhn:", "j@example.org"}, {"x y", "y@example.org"}});
}

TEST_CASE("a multibyte character split across two encoded words survives", "[parser]") {
    // "é" is C3 A9; a mailer put C3 in one word and A9 in the next.
    const auto m = parse_message("Subject: =?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=\r\n\r\n");
    CHECK(m.subject == "café");
}

TEST_CASE("raw 8-bit headers: UTF-8 is kept, other bytes are read as Windows-1252", "[parser]") {
    const auto m = parse_message("Subject: Gr\xC3\xBC\xC3\x9F""e und Gr\xFC\xDF""e\r\nFrom: J\xF6rg <j@example.de>\r\n\r\nx");
    CHECK(m.subject == "Grüße und Grüße");
    CHECK(m.from == std::vector<Mailbox>{{"Jörg", "j@example.de"}});
}

TEST_CASE("multipart/alternative: plain preferred, HTML kept, quoted-printable and base64 decoded", "[parser]") {
    const auto m = parse_message(crlf(R"(From: shop@example.com
Subject: Your order
Content-Type: multipart/alternative; boundary="==alt=="

This is a multi-part message in MIME format.
--==alt==
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Gr=C3=BC=C3=9Fe! This line is long enough to be wrapped by the encoder so it=
 continues here.
--==alt==
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PGh0bWw+PGJvZHk+PHA+R3LDvMOfZSE8L3A+PC9ib2R5PjwvaHRtbD4=
--==alt==--
epilogue
)"));
    CHECK(m.content_type == "multipart/alternative");
    CHECK(m.text_body ==
          "Grüße! This line is long enough to be wrapped by the encoder so it continues here.");
    CHECK(m.html_body == "<html><body><p>Grüße!</p></body></html>");
    CHECK(m.attachments.empty());
    CHECK_FALSE(m.has_attachments);
}

TEST_CASE("HTML-only mail gets its text from the HTML", "[parser]") {
    const auto m = parse_message(crlf(R"(Subject: News
Content-Type: text/html; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

<html><head><style>p{color:red}</style><title>T</title></head>
<body><p>Caf=E9 &amp; cr=E8me</p><p>Line&nbsp;two<br>three</p><script>alert(1)</script></body></html>
)"));
    CHECK(m.html_body.find("Café &amp; crème") != std::string::npos);
    CHECK(m.text_body == "Café & crème\n\nLine two\nthree");
}

TEST_CASE("attachments: RFC 2231 filenames, sizes, inline images and nested parts", "[parser]") {
    const auto m = parse_message(crlf(R"(From: a@example.org
Subject: files
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: text/html; charset=utf-8

<p>See <img src="cid:logo@x"></p>
--rel
Content-Type: image/png
Content-Transfer-Encoding: base64
Content-ID: <logo@x>

iVBORw0KGgo=
--rel--
--outer
Content-Type: application/pdf; name="ignored.pdf"
Content-Disposition: attachment;
 filename*=UTF-8''%E2%82%AC%20rates%202024.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
JVBERi0xLjQK
--outer
Content-Type: application/octet-stream
Content-Disposition: attachment;
 filename*0*=iso-8859-1''r%E9sum%E9;
 filename*1=".docx"

abc
--outer
Content-Type: text/plain; name="=?UTF-8?B?bm90ZXMudHh0?="
Content-Disposition: inline

inline text file
--outer
Content-Type: message/rfc822

Subject: Forwarded one
From: x@example.org

inner body
--outer--
)"));
    CHECK(m.content_type == "multipart/mixed");
    CHECK(m.text_body == "See");
    CHECK(m.html_body == "<p>See <img src=\"cid:logo@x\"></p>");
    REQUIRE(m.attachments.size() == 5);
    CHECK(m.attachments[0].mime_type == "image/png");
    CHECK(m.attachments[0].size == 8);
    CHECK(m.attachments[0].content_id == "logo@x");
    CHECK(m.attachments[0].is_inline);
    CHECK(m.attachments[0].filename.empty());
    CHECK(m.attachments[1].filename == "€ rates 2024.pdf");
    CHECK(m.attachments[1].mime_type == "application/pdf");
    CHECK(m.attachments[1].size == 18);
    CHECK_FALSE(m.attachments[1].is_inline);
    CHECK(m.attachments[2].filename == "résumé.docx");
    CHECK(m.attachments[2].size == 3);
    CHECK(m.attachments[3].filename == "notes.txt");
    CHECK(m.attachments[3].is_inline);
    CHECK(m.attachments[4].mime_type == "message/rfc822");
    CHECK(m.attachments[4].filename == "Forwarded one.eml");
    CHECK(m.has_attachments);
}

TEST_CASE("an inline image referenced by Content-ID alone is not a paper clip", "[parser]") {
    const auto m = parse_message(crlf(R"(Content-Type: multipart/related; boundary=b

--b
Content-Type: text/html

<img src="cid:i">
--b
Content-Type: image/gif
Content-ID: <i>

GIF89a
--b--
)"));
    REQUIRE(m.attachments.size() == 1);
    CHECK(m.attachments[0].is_inline);
    CHECK_FALSE(m.has_attachments);
}

TEST_CASE("attachment filenames lose directories and control characters", "[parser]") {
    const auto m = parse_message(crlf(R"(Content-Type: multipart/mixed; boundary=b

--b
Content-Type: application/octet-stream; name=..\..\evil\x.exe

x
--b
Content-Disposition: attachment; filename="/etc/passwd"

y
--b--
)"));
    REQUIRE(m.attachments.size() == 2);
    CHECK(m.attachments[0].filename == "x.exe");
    CHECK(m.attachments[1].filename == "passwd");
    CHECK(m.attachments[1].mime_type == "text/plain");
}

TEST_CASE("the signature of a signed message is not an attachment", "[parser]") {
    const auto m = parse_message(crlf(R"(Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary=s

--s
Content-Type: text/plain

signed text
--s
Content-Type: application/pgp-signature; name=signature.asc

-----BEGIN PGP SIGNATURE-----
--s--
)"));
    CHECK(m.text_body == "signed text");
    CHECK(m.attachments.empty());
    CHECK_FALSE(m.has_attachments);
}

TEST_CASE("several inline text parts of a mixed message are joined", "[parser]") {
    const auto m = parse_message(crlf(R"(Content-Type: multipart/mixed; boundary="b"

--b

First part, no headers.
--b
Content-Type: text/plain; charset=utf-8

Footer of the list.
--b--
)"));
    CHECK(m.text_body == "First part, no headers.\n\nFooter of the list.");
}

TEST_CASE("charsets other than UTF-8 and Latin-1 are converted", "[parser]") {
    // "Привет" in KOI8-R, and ISO-2022-JP "日本" in an encoded word.
    const auto m = parse_message(
        "Subject: =?ISO-2022-JP?B?GyRCRnxLXBsoQg==?=\r\n"
        "Content-Type: text/plain; charset=koi8-r\r\n\r\n\xF0\xD2\xC9\xD7\xC5\xD4");
    CHECK(m.subject == "日本");
    CHECK(m.text_body == "Привет");
}

TEST_CASE("an unknown charset falls back to UTF-8 or Windows-1252", "[parser]") {
    const auto m = parse_message("Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nna\xEFve \xC3\xA9t\xC3\xA9");
    CHECK(m.text_body == "naïve été");
}

TEST_CASE("headers only: envelope filled, no body, the content type tells what comes", "[parser]") {
    const auto m = parse_message("From: a@example.org\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n");
    CHECK(m.subject == "s");
    CHECK(m.content_type == "multipart/mixed");
    CHECK(m.text_body.empty());
    CHECK(m.attachments.empty());
    const auto no_blank_line = parse_message("Subject: only\r\nFrom: b@example.org");
    CHECK(no_blank_line.subject == "only");
    CHECK(no_blank_line.from == std::vector<Mailbox>{{"", "b@example.org"}});
}

TEST_CASE("dates in the forms found in real mail", "[parser]") {
    auto date = [](const std::string& value) { return parse_message("Date: " + value + "\r\n\r\n").date; };
    CHECK(date("Tue, 2 Jan 2024 10:30:15 +0000") == 1704191415);
    CHECK(date("2 Jan 2024 10:30:15 +0000") == 1704191415);
    CHECK(date("Tue, 02 Jan 2024 05:30:15 -0500 (EST)") == 1704191415);
    CHECK(date("Tue, 2 Jan 2024 05:30:15 EST") == 1704191415);
    CHECK(date("Tue, 2 Jan 24 10:30 GMT") == 1704191400);
    CHECK(date("Tue Jan 2 10:30:15 2024") == 1704191415);
    CHECK(date("02-Jan-2024 10:30:15 +0000") == 1704191415);
    CHECK(date("") == 0);
    CHECK(date("yesterday") == 0);
    CHECK(date("31 Feb 2024 10:00:00 +0000") == 0);
    CHECK(date("29 Feb 2024 00:00:00 +0000") == 1709164800);
    CHECK(date("29 Feb 2023 00:00:00 +0000") == 0);
    CHECK(date("1 Jan 1969 00:00:00 +0000") == 0);
    CHECK(date("1 Jan 99999999999999999999 10:00 +0000") == 0);
    CHECK(date("99999999999999999999 Jan 2024") == 0);
    CHECK(parse_message("Subject: no date\r\n\r\n").date == 0);
}

TEST_CASE("empty input and garbage never throw", "[parser]") {
    CHECK(parse_message("").subject.empty());
    CHECK(parse_message("\r\n\r\n").text_body.empty());
    CHECK_NOTHROW(parse_message(std::string("\0\0\0\xFF\xFE\r\n:\r\n \r\n", 12)));
    CHECK_NOTHROW(parse_message("Content-Type: multipart/mixed\r\n\r\n--\r\n--\r\n"));
    CHECK_NOTHROW(parse_message("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n----\r\n"));
    CHECK_NOTHROW(parse_message("From: <<<>>>,,,;;;:::\"\"\"((()))\r\nTo: =?\r\nSubject: =?utf-8?B?====?=\r\n\r\n"));

    std::mt19937 random(20240102);
    std::uniform_int_distribution<int> byte(0, 255);
    const std::string alphabet = "\r\n:;,<>\"()=?-_/ \tabcBQ@*'%";
    for (int round = 0; round < 300; ++round) {
        std::string input = round % 2 ? "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" : "";
        const int length = 50 + round * 7;
        for (int i = 0; i < length; ++i)
            input += (i % 3) ? alphabet[static_cast<std::size_t>(byte(random)) % alphabet.size()] : static_cast<char>(byte(random));
        CHECK_NOTHROW(parse_message(input));
    }
}

TEST_CASE("deep nesting and floods of parts or groups are bounded", "[parser]") {
    std::string deep;
    for (int i = 0; i < 5000; ++i) deep += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" + std::to_string(i) + "\r\n";
    deep += "\r\ninnermost\r\n";
    CHECK_NOTHROW(parse_message(deep));

    std::string many = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    for (int i = 0; i < 20000; ++i) many += "--b\r\nContent-Type: application/x-a\r\n\r\nx\r\n";
    const auto m = parse_message(many);
    CHECK(m.attachments.size() < 2000);

    std::string groups = "To: ";
    for (int i = 0; i < 100000; ++i) groups += "g:";
    groups += "x@example.org\r\n\r\n";
    CHECK_NOTHROW(parse_message(groups));

    std::string comments = "From: ";
    comments += std::string(100000, '(');
    comments += "\r\nDate: " + std::string(50000, '(') + "\r\n\r\n";
    CHECK_NOTHROW(parse_message(comments));
}

TEST_CASE("a 2 MB body is read whole", "[parser]") {
    std::string body;
    while (body.size() < 2 * 1024 * 1024) body += "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n";
    const auto m = parse_message("Subject: big\r\nContent-Type: text/plain\r\n\r\n" + body + "the end");
    CHECK(m.text_body.size() > 2 * 1000 * 1000);
    CHECK(m.text_body.compare(m.text_body.size() - 7, 7, "the end") == 0);

    std::string html = "<html><body>";
    while (html.size() < 2 * 1024 * 1024) html += "<div><p>Para&amp;graph <b>bold</b></p></div>\r\n";
    const auto h = parse_message("Content-Type: text/html\r\n\r\n" + html);
    CHECK(h.text_body.size() > 500 * 1000);
}

TEST_CASE("input over the size limit is refused with BadInput", "[parser]") {
    // Never read: the size alone is refused, so the pages are never touched.
    const std::size_t size = tern::mail::max_message_bytes + 1;
    const std::unique_ptr<char[]> huge(new char[size]);
    try {
        parse_message(std::string_view(huge.get(), size));
        FAIL("no error");
    } catch (const tern::Error& e) {
        CHECK(e.category() == tern::ErrorCategory::BadInput);
    }
}

TEST_CASE("format_mailboxes writes a display list", "[parser]") {
    CHECK(tern::mail::format_mailboxes({{"Alice", "a@x"}, {"", "b@x"}}) == "Alice <a@x>, b@x");
    CHECK(tern::mail::format_mailboxes({}).empty());
}
