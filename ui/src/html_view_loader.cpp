#include "html_view.hpp"

#include "tern/core/build_config.hpp"

#include <spdlog/spdlog.h>
#include <wx/dynlib.h>
#include <wx/filename.h>
#include <wx/intl.h>
#include <wx/log.h>
#include <wx/stdpaths.h>

namespace tern::ui {
namespace {

struct Plugin {
    std::unique_ptr<wxDynamicLibrary> library;  // never unloaded: its windows may live until the end
    CreateHtmlViewFunction create = nullptr;
    std::string path;
    wxString why;
};

// TERN_HTML_VIEW_PLUGIN_RELATIVE from the program's own folder: ../lib/tern in the build tree and
// under /usr, the program's folder on Windows, ../PlugIns in the macOS bundle.
wxString plugin_path() {
    const wxFileName program(wxStandardPaths::Get().GetExecutablePath());
    wxFileName path(program.GetPath() + wxFILE_SEP_PATH + wxString::FromUTF8(build::html_view_plugin_relative) +
                        wxFILE_SEP_PATH,
                    wxDynamicLibrary::CanonicalizeName("tern-html-view", wxDL_MODULE));
    path.Normalize(wxPATH_NORM_DOTS | wxPATH_NORM_ABSOLUTE);
    return path.GetFullPath();
}

Plugin& plugin() {
    static Plugin loaded = [] {
        Plugin p;
        const wxString path = plugin_path();
        p.path = path.utf8_string();
        if (!wxFileName::FileExists(path)) {
            p.why = wxString::Format(_("the HTML view (%s) is not installed"), path);
            return p;
        }
        // The loader's words (dlerror) go to the log and the reader, not to a message box.
        auto* heard = new wxLogBuffer;
        wxLog* previous = wxLog::SetActiveTarget(heard);
        p.library = std::make_unique<wxDynamicLibrary>();
        const bool opened = p.library->Load(path, wxDL_NOW);
        wxLog::SetActiveTarget(previous);
        wxString detail = heard->GetBuffer();
        delete heard;
        if (!opened) {
            p.why = wxString::Format(_("the HTML view (%s) could not be loaded: %s"), path, detail.Trim().Trim(false));
            p.library.reset();
            return p;
        }
        p.create = reinterpret_cast<CreateHtmlViewFunction>(p.library->GetSymbol(create_html_view_symbol));
        if (!p.create) p.why = wxString::Format(_("the HTML view (%s) is not Tern's"), path);
        spdlog::info("html view plug-in {}: {}", p.path, p.create ? "loaded" : p.why.utf8_string());
        return p;
    }();
    return loaded;
}

}  // namespace

std::optional<std::string> load_html_view_plugin(wxString& why) {
    auto& p = plugin();
    if (!p.create) {
        why = p.why;
        return std::nullopt;
    }
    return p.path;
}

std::unique_ptr<HtmlView> create_html_view(wxWindow* parent, wxString& why) {
    auto& p = plugin();
    if (!p.create) {
        why = p.why;
        return nullptr;
    }
    std::unique_ptr<HtmlView> view(p.create(parent));
    if (!view) why = _("this system has no web engine for HTML mail (WebKitGTK)");
    return view;
}

}  // namespace tern::ui
