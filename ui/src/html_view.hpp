// The reader's view of an HTML body. The real one is a wxWebView in a plug-in (tern-html-view),
// loaded the first time an HTML message is shown: WebKitGTK, its JavaScript engine and the speech
// data it links (about 25 MB resident) then cost nothing to a start that shows a message list
// (bench/ui). The plug-in also holds the navigation policy: only the page Tern gives it shows;
// links open in the browser; anything else the message tries to open goes nowhere.
#pragma once

#include <wx/string.h>

#include <memory>
#include <optional>
#include <string>

class wxWindow;

namespace tern::ui {

class HtmlView {
public:
    virtual ~HtmlView() = default;
    // A child of the parent given at creation, which owns and destroys it.
    virtual wxWindow* window() = 0;
    // The page, with about:blank as its base (relative URLs lead nowhere).
    virtual void set_page(const wxString& html) = 0;
};

// The plug-in's entry point, looked up by this name (C linkage).
using CreateHtmlViewFunction = HtmlView* (*)(wxWindow* parent);
inline constexpr const char* create_html_view_symbol = "tern_create_html_view";

// Loads the plug-in once and makes a view in `parent`; nullptr and `why` (in words for the reader)
// when the plug-in or the web engine is missing. The plug-in is looked for at
// TERN_HTML_VIEW_PLUGIN_RELATIVE from the program's folder (installed and build trees alike).
std::unique_ptr<HtmlView> create_html_view(wxWindow* parent, wxString& why);

// Where the plug-in is and whether it loads (tern --check-html-view), without making a view.
std::optional<std::string> load_html_view_plugin(wxString& why);

}  // namespace tern::ui
