// The GUI tests' main: a real wxApp (GTK under Xvfb) with an active event loop, then Catch2.
// The windows speak the language TERN_GUI_LANG names (English when unset), as `tern --lang` would.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "ui_language.hpp"

#include <wx/app.h>
#include <wx/evtloop.h>
#include <wx/image.h>
#include <wx/init.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

class GuiTestApp : public wxApp {
public:
    bool OnInit() override { return true; }
    // As the desktop app: the language's direction, even when the C library lacks its locale.
    wxLayoutDirection GetLayoutDirection() const override { return tern::ui::ui_layout_direction(); }
};

// A failed wx assertion would open a dialog that nobody answers: it fails the test instead, with
// where it happened.
void fail_on_assert(const wxString& file, int line, const wxString& func, const wxString& cond, const wxString& msg) {
    std::fprintf(stderr, "wx assertion failed: %s:%d in %s: %s %s\n", file.utf8_str().data(), line,
                 func.utf8_str().data(), cond.utf8_str().data(), msg.utf8_str().data());
    std::fflush(stderr);
    std::abort();
}

}  // namespace

int main(int argc, char** argv) {
    wxApp::SetInstance(new GuiTestApp);
    int wx_argc = 1;  // Catch2's options are not wx's
    if (!wxEntryStart(wx_argc, argv)) return 3;
    wxSetAssertHandler(fail_on_assert);
    wxTheApp->CallOnInit();
    wxInitAllImageHandlers();
    // Tests in a language without its catalog would quietly run in English: they fail instead.
    const char* asked = std::getenv("TERN_GUI_LANG");
    const std::string lang = asked && *asked ? asked : "en";
    if (tern::ui::apply_ui_language(lang) != lang) {
        std::fprintf(stderr, "TERN_GUI_LANG=%s: no catalog for that language\n", lang.c_str());
        wxTheApp->OnExit();
        wxEntryCleanup();
        return 3;
    }
    int result = 0;
    {
        wxGUIEventLoop loop;
        wxEventLoopActivator active(&loop);  // wxYield and CallAfter need an active loop
        result = Catch::Session().run(argc, argv);
    }
    wxTheApp->OnExit();
    wxEntryCleanup();
    return result;
}
