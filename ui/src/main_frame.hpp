// The main window: accounts and folders on the left, the message list and the reader on the right,
// the search box above them, the fallback banner on top, sync progress with its cancel button
// below. It only arranges and connects the views; the store and the servers are reached through
// MailService's workers.
#pragma once

#include "composer_jobs.hpp"
#include "fallback_banner.hpp"
#include "folder_tree.hpp"
#include "mail_service.hpp"
#include "message_list.hpp"
#include "reader_panel.hpp"
#include "tern/accounts/account_mail.hpp"
#include "tern/ui/desktop_app.hpp"

#include <wx/frame.h>
#include <wx/timer.h>
#include <wx/weakref.h>

#include <functional>
#include <map>
#include <memory>

class wxButton;
class wxGauge;
class wxSearchCtrl;
class wxStaticText;

namespace tern::ui {

class ComposerFrame;
class DevicesFrame;
class SetupWizard;

class MainFrame : public wxFrame {
public:
    MainFrame(const DesktopOptions& options, MailService& service);
    ~MainFrame() override;

    // For tests and the benchmark: what the window shows.
    FolderTree* folder_tree() const { return tree_; }
    MessageList* message_list() const { return list_; }
    ReaderPanel* reader() const { return reader_; }
    wxSearchCtrl* search_box() const { return search_; }
    FallbackBanner* fallback_banner() const { return banner_; }
    SetupWizard* setup_wizard() const { return wizard_.get(); }
    // A second start's request (single_instance.hpp): come forward; with a mailto: link, compose
    // it (once there is an account).
    void handle_request(const std::string& mailto);
    // Tools > Printers and scanners: the devices pane's window (one; raised when open).
    DevicesFrame* show_devices();
    bool fallback_banner_shown() const;
    bool syncing() const { return !syncs_.empty(); }
    std::int64_t syncs_finished() const { return syncs_finished_; }

    // What the menus and keys do.
    void sync_now(bool at_start = false);
    void cancel_jobs();
    void search(const wxString& text);
    void toggle_read();
    void toggle_flag();
    void delete_selected();
    void move_selected(std::int64_t target_folder_id);
    // The selection's messages all get `flag`, or all lose it when they all have it.
    void toggle_on_selection(int flag);
    // Takes the selection out of the list and has `queue_change` store it (delete or move) on the
    // store worker; the tree's counts follow, the server's copy at the next push.
    void remove_selected(std::function<void(accounts::MailProfile&, const std::vector<mail::MessageSummary>&)> queue_change);
    void retry_oauth();
    // Opens a composer for the chosen account (the first one when none is chosen).
    ComposerFrame* compose(ComposeStart start);
    // Opens the setup wizard (or brings the open one to the front).
    SetupWizard* add_account();

private:
    void build_menus();
    void load_tree();
    void show_tree(std::vector<AccountEntry> accounts);
    void folder_chosen(const FolderChoice& choice);
    void message_selected(const std::optional<mail::MessageSummary>& message);
    void change_flags(const std::vector<mail::MessageSummary>& messages, int add, int remove);
    void push_changes(std::int64_t account_id);
    void sync_done(std::int64_t account_id, const accounts::AccountSyncReport& report, bool notify);
    void update_banner();
    void update_activity();
    void show_error(const Error& error);
    void tell(const accounts::Account& account, const accounts::PolicyDecision& decision);
    accounts::FallbackPrompts prompts();
    void ask_move();
    void report_ready();
    std::optional<std::int64_t> current_account() const;

    DesktopOptions options_;
    MailService& service_;
    FolderTree* tree_ = nullptr;
    MessageList* list_ = nullptr;
    ReaderPanel* reader_ = nullptr;
    wxSearchCtrl* search_ = nullptr;
    FallbackBanner* banner_ = nullptr;
    std::optional<std::int64_t> banner_account_;
    wxPanel* activity_ = nullptr;
    wxStaticText* activity_text_ = nullptr;
    wxGauge* activity_gauge_ = nullptr;
    wxButton* activity_cancel_ = nullptr;
    wxTimer sync_timer_;
    wxWeakRef<SetupWizard> wizard_;
    wxWeakRef<DevicesFrame> devices_;

    struct RunningSync {
        std::shared_ptr<CancelToken> cancel;
        wxString what;
        std::int64_t done = 0, total = 0;
    };
    std::map<std::int64_t, RunningSync> syncs_;  // by account
    std::int64_t syncs_finished_ = 0;
    bool first_sync_done_ = false;
    bool ready_reported_ = false;
    bool sync_when_tree_loaded_ = false;  // an account was just added
    std::optional<std::string> pending_mailto_;  // tern mailto:...: composed once there is an account
    std::optional<std::int64_t> search_account_;
};

}  // namespace tern::ui
