#include "gui_harness.hpp"

#include <gtk/gtk.h>
#include <wx/app.h>
#include <wx/bitmap.h>
#include <wx/dcmemory.h>
#include <wx/dcscreen.h>
#include <wx/image.h>
#include <wx/utils.h>

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace tern::gui_test {

bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        wxTheApp->Yield(true);
        wxTheApp->ProcessPendingEvents();
        wxMilliSleep(5);
    }
    return true;
}

void pump_for(std::chrono::milliseconds duration) {
    const auto until = std::chrono::steady_clock::now() + duration;
    pump_until([&] { return std::chrono::steady_clock::now() >= until; }, duration + std::chrono::seconds(1));
}

std::string test_language() {
    const char* lang = std::getenv("TERN_GUI_LANG");
    return lang && *lang ? lang : "en";
}

std::filesystem::path save_screenshot(wxWindow* window, const std::string& name) {
    wxWindow* top = wxGetTopLevelParent(window);
    top->Raise();
    top->Refresh();
    top->Update();
    pump_for(std::chrono::milliseconds(300));  // let GTK paint what changed
    // What X shows of the window, read from its GdkWindow (wxScreenDC reads stale pixels under GTK 3).
    // The whole window the control is in: a control's GdkWindow is often its window's.
    GdkWindow* gdk_window = gtk_widget_get_window(top->GetHandle());
    if (!gdk_window) throw std::runtime_error("the window " + name + " is not on the screen");
    const wxSize size = top->GetSize();
    GdkPixbuf* pixbuf = gdk_pixbuf_get_from_window(gdk_window, 0, 0, size.GetWidth(), size.GetHeight());
    if (!pixbuf) throw std::runtime_error("cannot read the pixels of " + name);
    const std::filesystem::path dir = std::filesystem::path(TERN_GUI_ARTIFACTS) / test_language();
    std::filesystem::create_directories(dir);
    const auto file = dir / (name + ".png");
    const gboolean saved = gdk_pixbuf_save(pixbuf, file.string().c_str(), "png", nullptr, nullptr);
    g_object_unref(pixbuf);
    if (!saved) throw std::runtime_error("cannot save the screenshot " + file.string());
    return file;
}

TempProfile::TempProfile() {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() / ("tern-gui-" + std::to_string(random()));
    std::filesystem::create_directories(dir_);
}

TempProfile::~TempProfile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

}  // namespace tern::gui_test
