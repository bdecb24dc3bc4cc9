// The main window on real profiles: what a person sees first.
#include "gui_harness.hpp"

#include "main_frame.hpp"

#include <catch2/catch.hpp>

#include <wx/stattext.h>

using namespace tern;
using namespace tern::gui_test;

TEST_CASE("main window: an empty profile says there are no accounts yet", "[main]") {
    TempProfile home;
    ui::DesktopOptions options;
    options.home = home.dir();
    ui::MailService service(ui::ProfileLocation{home.dir(), std::nullopt});
    auto* frame = new ui::MainFrame(options, service);
    frame->Show();
    REQUIRE(pump_until([&] { return frame->GetStatusBar()->GetStatusText().StartsWith("Profile"); }));
    save_screenshot(frame, "main-window-empty");
    frame->Destroy();
    pump_for(std::chrono::milliseconds(50));
}
