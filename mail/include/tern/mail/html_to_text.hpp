// Readable plain text from an HTML mail body, for the reading pane's text mode, previews and the
// search index. Not a browser: no CSS, no layout; linear time on any input.
#pragma once

#include <string>
#include <string_view>

namespace tern::mail {

// Drops <head>, <script>, <style>, <title>, <template> and comments; block elements become line
// breaks (paragraphs and headings a blank line), list items "- ", table cells are separated by
// spaces; entities are decoded (named, &#NNN; and &#xHHH;); whitespace outside <pre> collapses.
// Lines are joined with \n, with no trailing blanks and no leading or trailing empty lines.
// Invalid UTF-8 in the input is passed through as is: give it UTF-8.
std::string html_to_text(std::string_view html);

}  // namespace tern::mail
