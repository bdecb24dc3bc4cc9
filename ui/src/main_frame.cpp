#include "main_frame.hpp"

#include "tern/accounts/account_repository.hpp"
#include "tern/core/build_config.hpp"
#include "tern/core/profile.hpp"
#include "tern/core/profile_paths.hpp"

#include <spdlog/spdlog.h>
#include <wx/aboutdlg.h>
#include <wx/listbox.h>
#include <wx/menu.h>
#include <wx/panel.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

#include <cstdio>

namespace tern::ui {

MainFrame::MainFrame(const DesktopOptions& options, MailService& service)
    : wxFrame(nullptr, wxID_ANY, "Tern", wxDefaultPosition, wxSize(900, 600)), options_(options), service_(service) {
    auto* file = new wxMenu;
    file->Append(wxID_EXIT, "&Quit\tCtrl+Q");
    auto* help = new wxMenu;
    help->Append(wxID_ABOUT, "&About Tern");
    auto* bar = new wxMenuBar;
    bar->Append(file, "&File");
    bar->Append(help, "&Help");
    SetMenuBar(bar);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { Close(); }, wxID_EXIT);
    Bind(wxEVT_MENU, &MainFrame::on_about, this, wxID_ABOUT);

    auto* panel = new wxPanel(this);
    auto* sizer = new wxBoxSizer(wxVERTICAL);
    headline_ = new wxStaticText(panel, wxID_ANY, "Opening your profile…");
    headline_->SetFont(headline_->GetFont().Scaled(1.4f).Bold());
    explanation_ = new wxStaticText(panel, wxID_ANY, "");
    accounts_ = new wxListBox(panel, wxID_ANY);
    accounts_->Hide();
    sizer->Add(headline_, 0, wxALL, 16);
    sizer->Add(explanation_, 0, wxLEFT | wxRIGHT | wxBOTTOM, 16);
    sizer->Add(accounts_, 1, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 16);
    panel->SetSizer(sizer);
    CreateStatusBar();
    SetStatusText("Opening profile…");

    load_profile();
}

void MainFrame::load_profile() {
    service_.store().run<ProfileSummary>(
        this,
        [](const JobContext& job) {
            auto& profile = job.profile();
            ProfileSummary summary{profile.profile.dir().string(), {}};
            for (const auto& account : profile.accounts()) summary.accounts.push_back(account.email);
            return summary;
        },
        [this](ProfileSummary summary) { show_profile(summary); },
        [this](const Error& error) { show_error(error); });
}

void MainFrame::show_profile(const ProfileSummary& summary) {
    SetStatusText("Profile: " + summary.dir);
    if (summary.accounts.empty()) {
        headline_->SetLabel("No mail accounts yet");
        explanation_->SetLabel("This profile has no accounts. Accounts added with tern-cli appear here.");
    } else {
        headline_->SetLabel(wxString::Format("%zu mail account(s)", summary.accounts.size()));
        explanation_->SetLabel("");
        for (const auto& email : summary.accounts) accounts_->Append(wxString::FromUTF8(email));
        accounts_->Show();
    }
    Layout();
    spdlog::info("main window: profile {} loaded, {} account(s)", summary.dir, summary.accounts.size());
    if (options_.exit_when_ready) {
        std::printf("ready: profile=%s accounts=%zu\n", summary.dir.c_str(), summary.accounts.size());
        std::fflush(stdout);
        Close();
    }
}

void MainFrame::show_error(const Error& error) {
    spdlog::error("main window: {}", error.log_line());
    headline_->SetLabel("Tern cannot open this profile");
    explanation_->SetLabel(wxString::FromUTF8(error.message()));
    explanation_->Wrap(GetClientSize().GetWidth() - 32);
    SetStatusText(wxString::FromUTF8("Profile not opened (" + std::string(to_string(error.category())) + ")"));
    Layout();
    if (options_.exit_when_ready) {
        std::printf("error: [%s] %s\n", std::string(to_string(error.category())).c_str(), error.message().c_str());
        std::fflush(stdout);
        set_exit_code(1);
        Close();
    }
}

void MainFrame::on_about(wxCommandEvent&) {
    wxAboutDialogInfo info;
    info.SetName("Tern");
    info.SetVersion(build::version);
    info.SetDescription("Mail for Outlook.com, Microsoft 365 and any IMAP server, with OAuth sign-in "
                        "and an automatic password fallback.");
    wxAboutBox(info, this);
}

}  // namespace tern::ui
