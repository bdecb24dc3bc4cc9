// What the GUI tests share: the real wx event loop pumped until something a person would see has
// happened, and screenshots of real windows under Xvfb saved as artifacts (build/gui-artifacts/).
#pragma once

#include <wx/window.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace tern::gui_test {

// Runs the event loop (windows paint, workers' results arrive) until `done()` or `timeout`.
// Returns done().
bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(20));
void pump_for(std::chrono::milliseconds duration);

// Saves what the screen shows of the top-level window around `window` as <artifacts>/<language>/<name>.png and returns the path.
std::filesystem::path save_screenshot(wxWindow* window, const std::string& name);

// Whether `text` (UTF-8) is what wxString::Format makes of the translation of `msgid` in the
// run's language: its words as they are, in their order, each placeholder (%s, %d, %02ld, ...)
// standing for any text. For the windows' sentences around values a test cannot know.
bool has_translated_form(const std::string& text, const char* msgid);

// The language the tests run in (TERN_GUI_LANG, default "en"): screenshots go to its folder.
std::string test_language();

// A folder for the test's profile, removed at the end of the test.
class TempProfile {
public:
    TempProfile();
    ~TempProfile();
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
};

}  // namespace tern::gui_test
