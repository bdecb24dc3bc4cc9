#include "tern/mail/html_to_text.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using tern::mail::html_to_text;

TEST_CASE("block elements become lines and paragraphs, inline elements do not", "[parser][html]") {
    CHECK(html_to_text("<p>One <b>bold</b> <i>word</i></p><p>Two</p>") == "One bold word\n\nTwo");
    CHECK(html_to_text("<div>a</div><div>b</div>") == "a\nb");
    CHECK(html_to_text("line<br>break<br/><br />blank") == "line\nbreak\n\nblank");
    CHECK(html_to_text("<h1>Title</h1>text") == "Title\n\ntext");
    CHECK(html_to_text("<ul><li>one</li><li>two</li></ul>after") == "- one\n- two\n\nafter");
    CHECK(html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>") == "a b\nc");
}

TEST_CASE("whitespace collapses outside pre and is kept inside", "[parser][html]") {
    CHECK(html_to_text("  a \n\t b   c  ") == "a b c");
    CHECK(html_to_text("<p>\n  text  \n</p>") == "text");
    CHECK(html_to_text("<pre>a  b\n  c</pre>d") == "a  b\n  c\n\nd");
    // The newline right after <pre> is markup, not text; a second one is text.
    CHECK(html_to_text("<pre>\ncode</pre>") == "code");
    CHECK(html_to_text("<PRE>\r\ncode</PRE>") == "code");
    CHECK(html_to_text("x<pre>\n\n  code</pre>") == "x\n\n\n  code");
}

TEST_CASE("head, script, style, title, template and comments are dropped", "[parser][html]") {
    CHECK(html_to_text("<html><head><meta charset=utf-8><title>T</title><style>p{}</style></head>"
                       "<body>Body<script type=\"text/javascript\">var x = '<p>no</p>';</script> end"
                       "<!-- a <p>comment</p> --><template><p>tpl</p></template></body></html>") == "Body end");
    CHECK(html_to_text("<STYLE>x</STYLE>A<SCRIPT>y</SCRIPT>B") == "AB");
    CHECK(html_to_text("<head><title>x</title><body>Missing head end") == "Missing head end");
}

TEST_CASE("unterminated constructs do not hide the text", "[parser][html]") {
    CHECK(html_to_text("<title>never closed<p>text") == "never closed\n\ntext");
    CHECK(html_to_text("<head><p>no body, no end of head") == "no body, no end of head");
    CHECK(html_to_text("text <script>everything after is script") == "text");
    CHECK(html_to_text("a <!-- comment to the end") == "a");
    CHECK(html_to_text("a <b") == "a");
}

TEST_CASE("entities are decoded", "[parser][html]") {
    CHECK(html_to_text("&lt;tag&gt; &amp; &quot;q&quot; &apos;") == "<tag> & \"q\" '");
    CHECK(html_to_text("caf&eacute; &euro;5 &copy; &mdash; &hellip;") == "café €5 © — …");
    CHECK(html_to_text("&#65;&#x42;&#X43;&#128512;") == "ABC😀");
    CHECK(html_to_text("&#150;&#0;&#xD800;&#99999999999;") == "–\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(html_to_text("a&nbsp;b &amp c AT&T &unknown; &") == "a b & c AT&T &unknown; &");
    CHECK(html_to_text("soft&shy;hyphen") == "softhyphen");
}

TEST_CASE("tags with quoted attributes containing > are read whole", "[parser][html]") {
    CHECK(html_to_text("<a title=\"x > y\" href='a>b'>link</a>") == "link");
    CHECK(html_to_text("a < b and c<3") == "a < b and c<3");
}

TEST_CASE("html_to_text takes linear time on hostile input", "[parser][html]") {
    // Each of these would be quadratic with a naive "search for the end tag from here".
    for (const std::string unit : {"<title>", "<head>", "<template>", "<a title=\"", "&#", "<!", "<p>"}) {
        std::string input;
        while (input.size() < 2'000'000) input += unit;
        const auto start = std::chrono::steady_clock::now();
        (void)html_to_text(input);
        const auto elapsed = std::chrono::steady_clock::now() - start;
        INFO(unit);
        CHECK(elapsed < std::chrono::seconds(3));
    }
}
