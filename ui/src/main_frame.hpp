// The main window. For now it opens the profile in the background and shows its accounts.
#pragma once

#include "mail_service.hpp"
#include "tern/ui/desktop_app.hpp"

#include <wx/frame.h>

class wxStaticText;
class wxListBox;

namespace tern::ui {

struct ProfileSummary {
    std::string dir;
    std::vector<std::string> accounts;
};

class MainFrame : public wxFrame {
public:
    MainFrame(const DesktopOptions& options, MailService& service);

private:
    void load_profile();
    void show_profile(const ProfileSummary& summary);
    void show_error(const Error& error);
    void on_about(wxCommandEvent&);

    DesktopOptions options_;
    MailService& service_;
    wxStaticText* headline_ = nullptr;
    wxStaticText* explanation_ = nullptr;
    wxListBox* accounts_ = nullptr;
};

}  // namespace tern::ui
