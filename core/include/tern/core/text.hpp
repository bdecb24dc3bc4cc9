// Small text helpers shared by the core libraries.
#pragma once

#include <string>
#include <string_view>

namespace tern {

// Replaces every occurrence of `from` (non-empty) in `text`; replacements are not rescanned.
void replace_all(std::string& text, std::string_view from, std::string_view to);

}  // namespace tern
