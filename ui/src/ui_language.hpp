// The language of the windows: Tern's catalog and wx's own for the language `tern --lang` names
// or, without it, the one the system prefers; right to left for Arabic.
#pragma once

#include <wx/intl.h>

#include <optional>
#include <string>

namespace tern::ui {

// Sets the language of every string shown from now on (and of windows created from now on:
// right-to-left languages mirror them). `lang` is a language tag ("cs", "ar", "sv_SE"); nullopt or
// empty means the system's preferred language. A language wx does not know, or one Tern has no
// catalog for, falls back to English and says so in the log. Catalogs are looked up in the build
// tree first, then in share/locale beside the installed program. Returns the language in effect
// ("en" for English). Call it on the UI thread once wx is initialised; calling it again replaces
// the previous choice (the GUI tests switch languages).
std::string apply_ui_language(const std::optional<std::string>& lang);

// The direction of the language in effect, for the app's wxApp::GetLayoutDirection(): wx takes it
// from the C library's locale, which may be missing (Arabic windows must mirror all the same).
wxLayoutDirection ui_layout_direction();

}  // namespace tern::ui
