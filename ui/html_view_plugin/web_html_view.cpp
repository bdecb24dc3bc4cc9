// The tern-html-view plug-in: the reader's HtmlView as a wxWebView (WebKitGTK on Linux). Built as
// a module so that the program links no web engine; html_view_loader.cpp loads it on first use.
#include "html_view.hpp"

#include <wx/utils.h>
#include <wx/webview.h>

namespace tern::ui {
namespace {

bool opens_in_browser(const wxString& url) {
    return url.StartsWith("http://") || url.StartsWith("https://") || url.StartsWith("mailto:");
}

class WebHtmlView : public HtmlView {
public:
    explicit WebHtmlView(wxWebView* web) : web_(web) {
        web_->SetName("body-html");
        web_->EnableContextMenu(true);
        // Only the page Tern gives it: a link opens in the browser, anything else the message
        // tries to open (frames, redirects, forms) goes nowhere.
        web_->Bind(wxEVT_WEBVIEW_NAVIGATING, [](wxWebViewEvent& event) {
            const wxString url = event.GetURL();
            if (url.StartsWith("about:") || url.StartsWith("data:")) return;
            event.Veto();
            if (opens_in_browser(url)) wxLaunchDefaultBrowser(url);
        });
        web_->Bind(wxEVT_WEBVIEW_NEWWINDOW, [](wxWebViewEvent& event) {
            const wxString url = event.GetURL();
            if (opens_in_browser(url)) wxLaunchDefaultBrowser(url);
        });
    }
    wxWindow* window() override { return web_; }
    void set_page(const wxString& html) override { web_->SetPage(html, "about:blank"); }

private:
    wxWebView* web_;
};

}  // namespace
}  // namespace tern::ui

extern "C" WXEXPORT tern::ui::HtmlView* tern_create_html_view(wxWindow* parent) {
    wxWebView* web = wxWebView::New(parent, wxID_ANY);
    return web ? new tern::ui::WebHtmlView(web) : nullptr;
}
