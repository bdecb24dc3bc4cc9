#include "tern/core/error.hpp"
#include "tern/mail/search_query.hpp"

#include <catch2/catch.hpp>

using tern::mail::compile_search;
using tern::mail::parse_search_query;
using tern::mail::SearchQuery;
using Field = SearchQuery::Field;

namespace {

std::string bad_input_message(const std::string& text) {
    try {
        parse_search_query(text);
    } catch (const tern::Error& e) {
        CHECK(e.category() == tern::ErrorCategory::BadInput);
        return e.message();
    }
    FAIL("no error for " << text);
    return {};
}

std::string match_of(const std::string& text) { return compile_search(parse_search_query(text), 1).match; }

}  // namespace

TEST_CASE("free words, phrases and fields", "[search]") {
    const auto q = parse_search_query(R"(  hello "exact phrase" From:alice to:bob@example.org subject:"two words" invoi* )");
    REQUIRE(q.terms.size() == 6);
    CHECK(q.terms[0].field == Field::Any);
    CHECK(q.terms[0].text == "hello");
    CHECK(q.terms[1].text == "exact phrase");
    CHECK(q.terms[2].field == Field::From);
    CHECK(q.terms[2].text == "alice");
    CHECK(q.terms[3].field == Field::To);
    CHECK(q.terms[3].text == "bob@example.org");
    CHECK(q.terms[4].field == Field::Subject);
    CHECK(q.terms[4].text == "two words");
    CHECK(q.terms[5].text == "invoi");
    CHECK(q.terms[5].prefix);
    CHECK_FALSE(q.empty());
    CHECK(parse_search_query("   ").empty());
}

TEST_CASE("filters: attachments, read state, flags, dates", "[search]") {
    const auto q = parse_search_query("has:attachment is:unread is:flagged after:2024-01-01 before:2024-03-01");
    CHECK(q.terms.empty());
    CHECK(q.has_attachment);
    CHECK(q.unread);
    CHECK(q.flagged);
    CHECK(q.after == 1704067200);
    CHECK(q.before == 1709251200);
    CHECK(parse_search_query("before:2024-02-29").before == 1709164800);  // a leap day
    CHECK(parse_search_query("IS:READ").read);

    const auto c = compile_search(q, 7);
    CHECK(c.match.empty());
    CHECK(c.conditions == " AND m.has_attachments <> 0 AND (m.flags & 1) = 0 AND (m.flags & 4) <> 0"
                          " AND m.date >= ?7 AND m.date < ?8");
    CHECK(c.parameters == std::vector<std::int64_t>{1704067200, 1709251200});
}

TEST_CASE("bad input names the bad part", "[search]") {
    CHECK_THAT(bad_input_message(R"(subject:"two words)"), Catch::Contains("subject:\"two words"));
    CHECK_THAT(bad_input_message(R"(hello "open)"), Catch::Contains("\"open"));
    CHECK_THAT(bad_input_message("before:2024-13-01"), Catch::Contains("2024-13-01"));
    CHECK_THAT(bad_input_message("after:2023-02-29"), Catch::Contains("2023-02-29"));
    CHECK_THAT(bad_input_message("after:yesterday"), Catch::Contains("YYYY-MM-DD"));
    CHECK_THAT(bad_input_message("before:24-1-1"), Catch::Contains("24-1-1"));
    CHECK_THAT(bad_input_message("is:important"), Catch::Contains("is:important"));
    CHECK_THAT(bad_input_message("has:pdf"), Catch::Contains("has:pdf"));
    CHECK_THAT(bad_input_message("from:"), Catch::Contains("from:"));
    CHECK_THAT(bad_input_message("subject:\"\""), Catch::Contains("subject:"));
}

TEST_CASE("unknown keys and URLs are plain words", "[search]") {
    const auto q = parse_search_query("http://example.org/a label:work");
    REQUIRE(q.terms.size() == 2);
    CHECK(q.terms[0].text == "http://example.org/a");
    CHECK(q.terms[1].text == "label:work");
    CHECK(q.terms[1].field == Field::Any);
}

TEST_CASE("the MATCH expression quotes every term and names columns", "[search]") {
    CHECK(match_of("hello world") == R"("hello" AND "world")");
    CHECK(match_of(R"("exact phrase" from:alice to:bob subject:"two words")") ==
          R"("exact phrase" AND sender : "alice" AND recipients : "bob" AND subject : "two words")");
    CHECK(match_of("invoi*") == R"("invoi"*)");
    CHECK(match_of("is:unread").empty());
}

TEST_CASE("user text cannot inject FTS5 syntax", "[search]") {
    // Operators, column filters, NEAR, parentheses, stars and quotes all stay inside strings.
    CHECK(match_of("a OR b NOT c") == R"("a" AND "OR" AND "b" AND "NOT" AND "c")");
    CHECK(match_of("NEAR(a b) body:x ^start -minus +plus") ==
          R"x("NEAR(a" AND "b)" AND "body:x" AND "^start" AND "-minus" AND "+plus")x");
    CHECK(match_of(R"(say"hi"there)") == R"("sayhithere")");
    CHECK(match_of("*") == R"("")");
    CHECK(match_of("a**") == R"("a*"*)");
    CHECK(tern::mail::fts5_quote("x\"y") == R"("x""y")");
    CHECK(tern::mail::fts5_quote(std::string("a\0b\x01", 4)) == "\"a b \"");
}

TEST_CASE("terms with nothing searchable find nothing rather than everything", "[search]") {
    CHECK(match_of("!!!") == R"("")");
    CHECK(match_of("!!! hello") == R"("hello")");
    CHECK(match_of("Grüße") == "\"Grüße\"");
}

TEST_CASE("the phrases are split between the header index and the body index, in order", "[search]") {
    using Phrases = std::vector<std::string>;
    const auto c = compile_search(parse_search_query(R"(report from:priya "exact phrase" subject:"board meeting" to:bo* !!! from:!!)"), 1);
    CHECK(c.header_phrases == Phrases{R"(sender : "priya")", R"(subject : "board meeting")", R"(recipients : "bo"*)"});
    CHECK(c.word_phrases == Phrases{R"("report")", R"("exact phrase")"});
    CHECK(c.match == R"("report" AND sender : "priya" AND "exact phrase" AND subject : "board meeting" AND recipients : "bo"*)");
    const auto words_only = compile_search(parse_search_query("hello world"), 1);
    CHECK(words_only.header_phrases.empty());
    CHECK(words_only.word_phrases.size() == 2);
    const auto nothing = compile_search(parse_search_query("from:!!! ???"), 1);
    CHECK(nothing.match == R"("")");
    CHECK(nothing.header_phrases.empty());
    CHECK(nothing.word_phrases.empty());
}
