// The GUI tests' main: a real wxApp (GTK under Xvfb) with an active event loop, then Catch2.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <wx/app.h>
#include <wx/evtloop.h>
#include <wx/image.h>
#include <wx/init.h>

namespace {

class GuiTestApp : public wxApp {
public:
    bool OnInit() override { return true; }
};

}  // namespace

int main(int argc, char** argv) {
    wxApp::SetInstance(new GuiTestApp);
    int wx_argc = 1;  // Catch2's options are not wx's
    if (!wxEntryStart(wx_argc, argv)) return 3;
    wxTheApp->CallOnInit();
    wxInitAllImageHandlers();
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
