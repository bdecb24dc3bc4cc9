#include "ui_language.hpp"

#include "tern/core/locale_dirs.hpp"

#include <spdlog/spdlog.h>
#include <wx/intl.h>
#include <wx/log.h>
#include <wx/stdpaths.h>
#include <wx/translation.h>
#include <wx/uilocale.h>

#ifdef __WXGTK__
#include <dlfcn.h>
#endif

#include <filesystem>
#include <memory>

namespace tern::ui {
namespace {

// The wxLocale in effect: it owns the translations `_()` uses, and sets the C library's locale for
// dates and numbers when the system has one for the language.
std::unique_ptr<wxLocale>& current_locale() {
    static std::unique_ptr<wxLocale> locale;
    return locale;
}

wxLayoutDirection& current_direction() {
    static wxLayoutDirection direction = wxLayout_LeftToRight;
    return direction;
}

void add_lookup_paths() {
    static bool added = false;
    if (added) return;
    added = true;
    // A build tree runs with its own freshly compiled catalogs; an installed program with its
    // package's. (wx then also looks in its own prefix's share/locale.)
    wxFileTranslationsLoader::AddCatalogLookupPathPrefix(wxString::FromUTF8(build::locale_build_dir));
    const std::filesystem::path exe(wxStandardPaths::Get().GetExecutablePath().utf8_string());
    const auto installed = (exe.parent_path() / build::locale_installed_relative).lexically_normal();
    wxFileTranslationsLoader::AddCatalogLookupPathPrefix(wxString::FromUTF8(installed.string()));
}

// The direction wxApp::GetLayoutDirection() reports, and GTK's default direction, which lays out
// every widget created from now on: wx sets neither from the translations' language, so Tern does.
// (GTK is looked up at run time: tern_ui does not link it itself.)
void set_default_direction(wxLayoutDirection direction) {
    current_direction() = direction;
#ifdef __WXGTK__
    using set_direction_fn = void (*)(int);
    static const auto set_direction =
        reinterpret_cast<set_direction_fn>(::dlsym(RTLD_DEFAULT, "gtk_widget_set_default_direction"));
    constexpr int ltr = 1, rtl = 2;  // GtkTextDirection
    if (set_direction) set_direction(direction == wxLayout_RightToLeft ? rtl : ltr);
#else
    (void)direction;
#endif
}

// The language asked for, or the system's preferred one among those Tern has catalogs for
// (LANGUAGE, LC_ALL, LC_MESSAGES, LANG on Unix). nullptr when wx does not know it.
const wxLanguageInfo* requested_language(const std::optional<std::string>& lang) {
    if (lang && !lang->empty()) {
        const auto* info = wxUILocale::FindLanguageInfo(wxString::FromUTF8(*lang));
        if (!info) spdlog::warn("language: '{}' is not a language Tern knows; the windows stay in English", *lang);
        return info;
    }
    wxTranslations probe;
    const wxString best = probe.GetBestTranslation("tern", wxLANGUAGE_ENGLISH_US);
    return best.empty() ? nullptr : wxUILocale::FindLanguageInfo(best);
}

bool is_english(const wxLanguageInfo& info) { return info.CanonicalName.StartsWith("en"); }

std::string use_english() {
    current_locale().reset();
    wxTranslations::Set(nullptr);  // `_()` returns the source text
    wxUILocale::UseDefault();      // dates and numbers as the system formats them
    set_default_direction(wxLayout_LeftToRight);
    return "en";
}

}  // namespace

wxLayoutDirection ui_layout_direction() { return current_direction(); }

std::string apply_ui_language(const std::optional<std::string>& lang) {
    add_lookup_paths();
    const wxLanguageInfo* info = requested_language(lang);
    if (!info || is_english(*info)) return use_english();

    const std::string name = info->CanonicalName.utf8_string();
    current_locale().reset();  // the previous one restores the state before it
    auto locale = std::make_unique<wxLocale>();
    {
        // The C library may lack this locale (then dates and numbers keep the system's format):
        // wx would warn in a dialog, yet the translations and the layout direction still apply.
        wxLogNull quiet;
        if (!locale->Init(info->Language, wxLOCALE_DONT_LOAD_DEFAULT))
            spdlog::info("language: the C library has no locale for {}; dates and numbers keep the system's format",
                         name);
    }
    wxTranslations* translations = wxTranslations::Get();
    if (!translations || !translations->AddCatalog("tern")) {
        spdlog::warn("language: Tern has no catalog for {}; the windows stay in English", name);
        locale.reset();
        return use_english();
    }
    // wx's own words (standard dialogs and buttons), when wx's catalogs are installed.
    if (!translations->AddStdCatalog()) spdlog::info("language: wx's own catalog for {} is not installed", name);
    current_locale() = std::move(locale);
    set_default_direction(info->LayoutDirection);
    spdlog::info("language: {}{}", name, info->LayoutDirection == wxLayout_RightToLeft ? " (right to left)" : "");
    return name;
}

}  // namespace tern::ui
