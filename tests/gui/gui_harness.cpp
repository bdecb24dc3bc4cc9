#include "gui_harness.hpp"

#include <gtk/gtk.h>
#include <wx/app.h>
#include <wx/bitmap.h>
#include <wx/dcmemory.h>
#include <wx/dcscreen.h>
#include <wx/image.h>
#include <wx/intl.h>
#include <wx/utils.h>

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <vector>

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

bool has_translated_form(const std::string& text, const char* msgid) {
    // The translation's words between its placeholders, "%%" read as "%".
    const std::string format = wxGetTranslation(msgid).utf8_string();
    std::vector<std::string> words(1);
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%' || i + 1 == format.size()) {
            words.back() += format[i];
        } else if (format[i + 1] == '%') {
            words.back() += '%';
            ++i;
        } else {
            i = format.find_first_of("sdiuxXfgc", i + 1);  // past flags, width and length
            if (i == std::string::npos) return false;
            words.emplace_back();
        }
    }
    // The first words begin the text, the last end it, the others come in order between.
    if (text.compare(0, words.front().size(), words.front()) != 0) return false;
    std::size_t at = words.front().size();
    for (std::size_t w = 1; w + 1 < words.size(); ++w) {
        at = text.find(words[w], at);
        if (at == std::string::npos) return false;
        at += words[w].size();
    }
    const auto& last = words.back();
    return words.size() == 1 ? text == last
                             : text.size() >= at + last.size() && text.compare(text.size() - last.size(), last.size(), last) == 0;
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
