#include "main_frame.hpp"

#include "composer_frame.hpp"
#include "desktop_prompts.hpp"
#include "devices_frame.hpp"
#include "setup_wizard.hpp"
#include "tern/core/build_config.hpp"
#include "tern/mail/search_query.hpp"

#include <spdlog/spdlog.h>
#include <wx/aboutdlg.h>
#include <wx/button.h>
#include <wx/choicdlg.h>
#include <wx/gauge.h>
#include <wx/intl.h>
#include <wx/menu.h>
#include <wx/notifmsg.h>
#include <wx/panel.h>
#include <wx/srchctrl.h>
#include <wx/sizer.h>
#include <wx/splitter.h>
#include <wx/stattext.h>

#include <cstdio>
#include <cstring>
#include <set>

namespace tern::ui {
namespace {

enum MenuId {
    IdSync = wxID_HIGHEST + 1,
    IdToggleRead,
    IdToggleFlag,
    IdMove,
    IdCancelJobs,
    IdFocusSearch,
    IdNewMessage,
    IdReply,
    IdReplyAll,
    IdForward,
    IdDrafts,
    IdAddAccount,
    IdDevices,
};

constexpr int sync_interval_minutes = 5;

}  // namespace

MainFrame::MainFrame(const DesktopOptions& options, MailService& service)
    : wxFrame(nullptr, wxID_ANY, "Tern", wxDefaultPosition, wxSize(1200, 780)),
      options_(options),
      service_(service),
      sync_timer_(this) {
    SetName("main");
    pending_mailto_ = options.mailto;
    build_menus();

    auto* root = new wxPanel(this);
    auto* sizer = new wxBoxSizer(wxVERTICAL);

    banner_ = new FallbackBanner(root);
    banner_->on_retry = [this] { retry_oauth(); };
    sizer->Add(banner_, 0, wxEXPAND);

    auto* outer = new wxSplitterWindow(root, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxSP_LIVE_UPDATE | wxSP_3DSASH);
    outer->SetMinimumPaneSize(FromDIP(120));
    tree_ = new FolderTree(outer);
    auto* right = new wxPanel(outer);
    auto* right_sizer = new wxBoxSizer(wxVERTICAL);
    search_ = new wxSearchCtrl(right, wxID_ANY);
    search_->SetName("search");
    search_->ShowCancelButton(true);
    search_->SetDescriptiveText(_("Search: from: to: subject: has:attachment is:unread before: after: \"phrase\""));
    right_sizer->Add(search_, 0, wxEXPAND | wxALL, FromDIP(4));
    auto* inner = new wxSplitterWindow(right, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxSP_LIVE_UPDATE | wxSP_3DSASH);
    inner->SetMinimumPaneSize(FromDIP(80));
    list_ = new MessageList(inner, service_);
    reader_ = new ReaderPanel(inner, service_, [this] { return prompts(); });
    inner->SplitHorizontally(list_, reader_, FromDIP(300));
    inner->SetSashGravity(0.4);
    // The list gets two fifths of the height the window finally has, the reader the rest.
    inner->Bind(wxEVT_SIZE, [inner](wxSizeEvent& event) {
        event.Skip();
        if (inner->GetSize().y > 300 && !inner->GetClientData()) {
            inner->SetClientData(inner);  // once, after the splitter has handled this size itself
            inner->CallAfter([inner] { inner->SetSashPosition(inner->GetSize().y * 2 / 5); });
        }
    });
    right_sizer->Add(inner, 1, wxEXPAND);
    right->SetSizer(right_sizer);
    outer->SplitVertically(tree_, right, FromDIP(250));
    sizer->Add(outer, 1, wxEXPAND);

    activity_ = new wxPanel(root);
    auto* arow = new wxBoxSizer(wxHORIZONTAL);
    activity_text_ = new wxStaticText(activity_, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxST_ELLIPSIZE_END);
    activity_gauge_ = new wxGauge(activity_, wxID_ANY, 100, wxDefaultPosition, wxSize(FromDIP(160), -1));
    activity_cancel_ = new wxButton(activity_, IdCancelJobs, _("Cancel"));
    activity_cancel_->SetName("cancel-sync");
    arow->Add(activity_text_, 1, wxALIGN_CENTER_VERTICAL | wxALL, FromDIP(4));
    arow->Add(activity_gauge_, 0, wxALIGN_CENTER_VERTICAL | wxALL, FromDIP(4));
    arow->Add(activity_cancel_, 0, wxALIGN_CENTER_VERTICAL | wxALL, FromDIP(2));
    activity_->SetSizer(arow);
    activity_->Hide();
    activity_cancel_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { cancel_jobs(); });
    sizer->Add(activity_, 0, wxEXPAND);
    root->SetSizer(sizer);
    CreateStatusBar();
    SetStatusText(_("Opening your profile..."));

    tree_->on_choice = [this](const FolderChoice& choice) { folder_chosen(choice); };
    list_->on_selected = [this](const std::optional<mail::MessageSummary>& m) { message_selected(m); };
    list_->on_loaded = [this] {
        if (list_->folder() && !(list_->size() == 0 && list_->loading())) {
            SetStatusText(wxString::Format(wxPLURAL("%zu message", "%zu messages", list_->size()), list_->size()));
            // Ready means the rows a person sees are drawn, not only counted.
            if (list_->size() == 0 && !list_->loading()) report_ready();
        }
    };
    list_->on_page_loaded = [this] {
        if (list_->folder() && !list_->loading()) report_ready();
    };
    list_->on_key = [this](int key) {
        if (key == 'M') toggle_read();
        else if (key == 'S') toggle_flag();
        else if (key == WXK_DELETE || key == WXK_BACK) delete_selected();
    };
    list_->on_error = [this](const Error& e) { show_error(e); };
    reader_->on_error = [this](const Error& e) { show_error(e); };
    reader_->on_shown = [this](const ReaderContent& content) {
        // A message read is a message seen, as in every mail program.
        const auto& s = content.detail.summary;
        if (!(s.flags & mail::MessageFlag::Seen) && s.body_downloaded) change_flags({s}, mail::MessageFlag::Seen, 0);
    };
    search_->Bind(wxEVT_SEARCH, [this](wxCommandEvent& event) { search(event.GetString()); });
    search_->Bind(wxEVT_SEARCH_CANCEL, [this](wxCommandEvent&) {
        search_->ChangeValue("");
        search("");
    });
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) { sync_now(false); });
    Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent& event) {
        // Nothing the workers do may come back to a closing window.
        cancel_jobs();
        event.Skip();
    });

    load_tree();
}

MainFrame::~MainFrame() { sync_timer_.Stop(); }

void MainFrame::build_menus() {
    auto* file = new wxMenu;
    file->Append(IdNewMessage, _("&New message\tCtrl+N"));
    file->Append(IdDrafts, _("Open &draft"));
    file->AppendSeparator();
    file->Append(IdAddAccount, _("&Add account..."));
    file->AppendSeparator();
    file->Append(IdSync, _("&Get mail\tF5"));
    file->Append(IdCancelJobs, _("&Stop\tEsc"));
    file->AppendSeparator();
    file->Append(wxID_EXIT, _("&Quit\tCtrl+Q"));
    auto* message = new wxMenu;
    message->Append(IdFocusSearch, _("&Search\tCtrl+F"));
    message->AppendSeparator();
    message->Append(IdReply, _("&Reply\tCtrl+R"));
    message->Append(IdReplyAll, _("Reply to &all\tCtrl+Shift+R"));
    message->Append(IdForward, _("For&ward\tCtrl+L"));
    message->AppendSeparator();
    message->Append(IdToggleRead, _("Mark as &read or unread\tCtrl+Shift+U"));
    message->Append(IdToggleFlag, _("&Flag or unflag\tCtrl+Shift+S"));
    message->Append(IdMove, _("&Move to...\tCtrl+Shift+M"));
    message->Append(wxID_DELETE, _("&Delete"));
    auto* tools = new wxMenu;
    tools->Append(IdDevices, _("&Printers and scanners..."));
    auto* help = new wxMenu;
    help->Append(wxID_ABOUT, _("&About Tern"));
    auto* bar = new wxMenuBar;
    bar->Append(file, _("&File"));
    bar->Append(message, _("&Message"));
    bar->Append(tools, _("&Tools"));
    bar->Append(help, _("&Help"));
    SetMenuBar(bar);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) {
        // Quit ends the program: the composers go too, each keeping its text as a draft.
        ComposerFrame::close_all();
        Close();
    }, wxID_EXIT);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { show_devices(); }, IdDevices);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { sync_now(false); }, IdSync);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { compose(ComposeStart::new_message()); }, IdNewMessage);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { add_account(); }, IdAddAccount);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { compose(ComposeStart::draft()); }, IdDrafts);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) {
        if (auto id = reader_->message_id()) compose(ComposeStart::reply(*id));
    }, IdReply);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) {
        if (auto id = reader_->message_id()) compose(ComposeStart::reply_all(*id));
    }, IdReplyAll);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) {
        if (auto id = reader_->message_id()) compose(ComposeStart::forward(*id));
    }, IdForward);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { cancel_jobs(); }, IdCancelJobs);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { search_->SetFocus(); }, IdFocusSearch);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { toggle_read(); }, IdToggleRead);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { toggle_flag(); }, IdToggleFlag);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { ask_move(); }, IdMove);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) { delete_selected(); }, wxID_DELETE);
    Bind(wxEVT_MENU, [this](wxCommandEvent&) {
        wxAboutDialogInfo info;
        info.SetName("Tern");
        info.SetVersion(build::version);
        info.SetDescription(_("Mail for Outlook.com, Microsoft 365 and any IMAP server, with OAuth sign-in "
                              "and an automatic password fallback."));
        wxAboutBox(info, this);
    }, wxID_ABOUT);
}

accounts::FallbackPrompts MainFrame::prompts() {
    return desktop_prompts(this, [this](const accounts::Account& account, const accounts::PolicyDecision& decision) {
        tell(account, decision);
    });
}

SetupWizard* MainFrame::add_account() {
    if (wizard_) {
        wizard_->Raise();
        return wizard_;
    }
    wizard_ = new SetupWizard(this, service_);
    wizard_->on_added = [this](const accounts::Account& account) {
        SetStatusText(wxString::Format(_("%s added."), wxString::FromUTF8(account.email)));
        // Its mail comes at once, once the tree knows it (sync_now goes through the tree's accounts).
        sync_when_tree_loaded_ = true;
        load_tree();
    };
    wizard_->Show();
    return wizard_;
}

void MainFrame::handle_request(const std::string& mailto) {
    if (IsIconized()) Iconize(false);
    Raise();
    if (mailto.empty()) return;
    spdlog::info("main window: a mailto: link from another start");
    if (tree_->accounts().empty()) {
        pending_mailto_ = mailto;  // composed when the wizard has added an account
        add_account();
    } else {
        compose(ComposeStart::from_mailto(mailto));
    }
}

DevicesFrame* MainFrame::show_devices() {
    if (devices_) {
        devices_->Raise();
        return devices_;
    }
    devices_ = new DevicesFrame(this, service_);
    devices_->Show();
    return devices_;
}

std::optional<std::int64_t> MainFrame::current_account() const {
    if (const auto choice = tree_->selection()) return choice->account_id;
    if (!tree_->accounts().empty()) return tree_->accounts().front().account.id;
    return std::nullopt;
}

ComposerFrame* MainFrame::compose(ComposeStart start) {
    const auto account = current_account();
    if (!account) {
        SetStatusText(_("Add a mail account first: there is nothing to send from."));
        return nullptr;
    }
    auto* composer = new ComposerFrame(service_, *account, std::move(start));
    composer->Show();
    return composer;
}

void MainFrame::load_tree() {
    service_.store().run<std::vector<AccountEntry>>(
        this, [](const JobContext& job) { return read_mail_tree(job.profile()); },
        [this](std::vector<AccountEntry> accounts) { show_tree(std::move(accounts)); },
        [this](const Error& error) { show_error(error); });
}

void MainFrame::show_tree(std::vector<AccountEntry> accounts) {
    const bool first = tree_->accounts().empty() && !ready_reported_;
    tree_->set_accounts(accounts);
    update_banner();
    if (accounts.empty()) {
        list_->clear_messages();
        reader_->clear();
        SetStatusText(_("No mail accounts yet. Add one with File > Add account, or with tern-cli account add."));
        report_ready();
        // A first start: the wizard is what a person needs.
        if (first && options_.sync_at_start && !options_.exit_when_ready) add_account();
        return;
    }
    if (first && !tree_->selection()) report_ready();
    if (first && !options_.exit_when_ready && options_.sync_at_start) {
        sync_now(true);
        sync_timer_.Start(sync_interval_minutes * 60 * 1000);
    }
    if (sync_when_tree_loaded_) {
        sync_when_tree_loaded_ = false;
        sync_now(false);
        if (!sync_timer_.IsRunning()) sync_timer_.Start(sync_interval_minutes * 60 * 1000);
    }
    if (pending_mailto_ && !options_.exit_when_ready) {
        compose(ComposeStart::from_mailto(*pending_mailto_));
        pending_mailto_.reset();
    }
}

void MainFrame::report_ready() {
    if (ready_reported_) return;
    ready_reported_ = true;
    const std::size_t accounts = tree_->accounts().size();
    spdlog::info("main window: {} account(s), {} message(s) listed", accounts, list_->size());
    if (options_.exit_when_ready) {
        std::printf("ready: profile=%s accounts=%zu messages=%zu\n", service_.location().dir.string().c_str(), accounts,
                    list_->size());
        std::fflush(stdout);
        // For bench/ui: the peak memory until the list was drawn.
        if (FILE* status = std::fopen("/proc/self/status", "r")) {
            char line[256];
            while (std::fgets(line, sizeof line, status))
                if (std::strncmp(line, "VmHWM:", 6) == 0) std::fprintf(stderr, "tern: ready, peak RSS %s", line + 6);
                else if (std::strncmp(line, "Rss", 3) == 0) std::fprintf(stderr, "tern: %s", line);
            std::fclose(status);
        }
        Close();
    }
}

void MainFrame::folder_chosen(const FolderChoice& choice) {
    reader_->clear();
    if (!search_->GetValue().empty()) search_->ChangeValue("");
    search_account_.reset();
    if (choice.folder_id == 0) {
        list_->clear_messages();
        return;
    }
    list_->show_folder(choice.folder_id);
}

void MainFrame::message_selected(const std::optional<mail::MessageSummary>& message) {
    if (!message) {
        reader_->clear();
        return;
    }
    if (reader_->message_id() == message->id) return;
    const auto* folder = tree_->folder(message->folder_id);
    const auto choice = tree_->selection();
    const std::int64_t account_id = folder ? 0 : (choice ? choice->account_id : 0);
    std::int64_t owner = account_id;
    for (const auto& account : tree_->accounts())
        for (const auto& f : account.folders)
            if (f.id == message->folder_id) owner = account.account.id;
    reader_->show_message(owner, message->id);
}

void MainFrame::search(const wxString& text) {
    const auto choice = tree_->selection();
    if (text.empty()) {
        if (choice) folder_chosen(*choice);
        return;
    }
    if (!choice) return;
    const auto account_id = choice->account_id;
    search_account_ = account_id;
    const std::string query = text.utf8_string();
    SetStatusText(_("Searching..."));
    service_.store().run<mail::SearchPage>(
        this,
        [account_id, query](const JobContext& job) {
            mail::MessageStore store(job.profile().profile.db());
            return store.search(account_id, mail::parse_search_query(query), 0, 1000);
        },
        [this](mail::SearchPage page) {
            std::vector<std::int64_t> ids;
            for (const auto& hit : page.hits) ids.push_back(hit.summary.id);
            reader_->clear();
            list_->show_messages(std::move(ids));
            const auto total = static_cast<long long>(page.total);
            wxString status = wxString::Format(wxPLURAL("%lld message matches", "%lld messages match", total), total);
            if (page.total_is_capped) status = wxString::Format(_("More than %lld messages match"), total);
            if (page.hits.size() < static_cast<std::size_t>(page.total))
                status += " " + wxString::Format(_("(the best %zu shown)"), page.hits.size());
            SetStatusText(status);
        },
        [this](const Error& error) { show_error(error); });
}

void MainFrame::change_flags(const std::vector<mail::MessageSummary>& messages, int add, int remove) {
    std::vector<FlagChange> changes;
    std::set<std::int64_t> accounts;
    for (const auto& m : messages) {
        if (m.uid == 0) continue;  // not on the server yet
        list_->update_flags(m.id, (m.flags | add) & ~remove);
        changes.push_back({m.folder_id, m.uid, add, remove});
        for (const auto& account : tree_->accounts())
            for (const auto& f : account.folders)
                if (f.id == m.folder_id) accounts.insert(account.account.id);
    }
    if (changes.empty()) return;
    service_.store().run<bool>(
        this,
        [changes](const JobContext& job) {
            queue_flag_changes(job.profile(), changes);
            return true;
        },
        [this, accounts](bool) {
            load_tree();  // unread counts
            for (auto id : accounts) push_changes(id);
        },
        [this](const Error& error) { show_error(error); });
}

void MainFrame::toggle_read() { toggle_on_selection(mail::MessageFlag::Seen); }

void MainFrame::toggle_flag() { toggle_on_selection(mail::MessageFlag::Flagged); }

void MainFrame::toggle_on_selection(int flag) {
    const auto selected = list_->selected_summaries();
    if (selected.empty()) return;
    // Several messages: all get the flag unless all have it already (as Thunderbird does).
    bool all_have_it = true;
    for (const auto& m : selected) all_have_it = all_have_it && (m.flags & flag);
    change_flags(selected, all_have_it ? 0 : flag, all_have_it ? flag : 0);
}

void MainFrame::delete_selected() {
    remove_selected([](accounts::MailProfile& profile, const std::vector<mail::MessageSummary>& messages) {
        queue_deletes(profile, messages);
    });
}

void MainFrame::move_selected(std::int64_t target_folder_id) {
    remove_selected([target_folder_id](accounts::MailProfile& profile, const std::vector<mail::MessageSummary>& messages) {
        queue_moves(profile, messages, target_folder_id);
    });
}

void MainFrame::remove_selected(
    std::function<void(accounts::MailProfile&, const std::vector<mail::MessageSummary>&)> queue_change) {
    const auto selected = list_->selected_summaries();
    if (selected.empty()) return;
    std::set<std::int64_t> ids;
    for (const auto& m : selected) ids.insert(m.id);
    const auto choice = tree_->selection();
    const auto account_id = choice ? choice->account_id : 0;
    // Gone from the list at once; stored and queued for the server on the store worker.
    reader_->clear();
    list_->remove_messages(ids);
    service_.store().run<bool>(
        this,
        [selected, queue_change](const JobContext& job) {
            queue_change(job.profile(), selected);
            return true;
        },
        [this, account_id](bool) {
            load_tree();
            push_changes(account_id);
        },
        [this](const Error& error) {
            show_error(error);
            list_->reload();
        });
}

void MainFrame::ask_move() {
    const auto choice = tree_->selection();
    if (!choice || list_->selected_rows().empty()) return;
    const auto* account = tree_->account(choice->account_id);
    if (!account) return;
    wxArrayString names;
    std::vector<std::int64_t> ids;
    for (const auto& f : account->folders) {
        if (f.id == choice->folder_id) continue;
        names.Add(folder_display_name(f) + (f.role.empty() ? wxString() : " (" + wxString::FromUTF8(f.path) + ")"));
        ids.push_back(f.id);
    }
    if (ids.empty()) return;
    wxSingleChoiceDialog dialog(this, _("Move the selected messages to:"), _("Move messages"), names);
    if (dialog.ShowModal() == wxID_OK) move_selected(ids.at(static_cast<std::size_t>(dialog.GetSelection())));
}

void MainFrame::push_changes(std::int64_t account_id) {
    if (account_id == 0) return;
    auto prompts_for_job = prompts();
    service_.account(account_id).run<std::int64_t>(
        this,
        [account_id, prompts_for_job](const JobContext& job) {
            return push_queued_changes(job.profile(), account_id, prompts_for_job, job.cancel());
        },
        [](std::int64_t pushed) { spdlog::info("main window: {} change(s) sent to the server", pushed); },
        [this](const Error& error) {
            // The changes stay queued (kept across restarts) and go with the next sync.
            if (error.category() != ErrorCategory::Cancelled)
                SetStatusText(wxString::Format(_("Your changes wait for the server: %s"), wxString::FromUTF8(error.message())));
        });
}

void MainFrame::sync_now(bool at_start) {
    for (const auto& entry : tree_->accounts()) {
        const auto account_id = entry.account.id;
        if (syncs_.count(account_id)) continue;
        const bool notify = first_sync_done_;
        auto prompts_for_job = prompts();
        auto cancel = service_.account(account_id).run<accounts::AccountSyncReport>(
            this,
            [account_id, at_start, prompts_for_job](const JobContext& job) {
                auto& profile = job.profile();
                const auto account = account_by_id(profile, account_id);
                if (!account) throw Error(ErrorCategory::NotFound, "This account was removed.");
                auto access = profile.access(*account, prompts_for_job);
                accounts::AccountSyncOptions options;
                options.at_start = at_start;
                options.progress = [&job](const mail::SyncProgress& p) { job.progress({p.folder, p.done, p.total}); };
                return accounts::sync_account(*access, profile.profile.db(), options, job.cancel());
            },
            [this, account_id, notify](accounts::AccountSyncReport report) {
                syncs_.erase(account_id);
                sync_done(account_id, report, notify);
            },
            [this, account_id, email = entry.account.email](const Error& error) {
                syncs_.erase(account_id);
                ++syncs_finished_;
                update_activity();
                if (error.category() == ErrorCategory::Cancelled) {
                    SetStatusText(_("Stopped."));
                } else {
                    SetStatusText(wxString::Format(_("%s: %s"), wxString::FromUTF8(email), wxString::FromUTF8(error.message())));
                    spdlog::warn("main window: sync of {}: {}", email, error.log_line());
                }
                load_tree();
            },
            [this, account_id](const JobProgress& p) {
                auto it = syncs_.find(account_id);
                if (it == syncs_.end()) return;
                it->second.what = wxString::FromUTF8(p.what);
                it->second.done = p.done;
                it->second.total = p.total;
                update_activity();
            });
        syncs_[account_id] = RunningSync{cancel, wxString::FromUTF8(entry.account.email), 0, 0};
    }
    update_activity();
}

void MainFrame::sync_done(std::int64_t account_id, const accounts::AccountSyncReport& report, bool notify) {
    ++syncs_finished_;
    if (syncs_.empty()) first_sync_done_ = true;
    update_activity();
    std::int64_t new_in_inbox = 0, added = 0;
    for (const auto& f : report.mail.folders) {
        added += f.added;
        if (f.path == "INBOX") new_in_inbox += f.added;
    }
    const auto* account = tree_->account(account_id);
    const wxString email = account ? wxString::FromUTF8(account->account.email) : wxString();
    if (report.outbox_error)
        SetStatusText(wxString::Format(_("%s: mail received; the outbox waits: %s"), email,
                                       wxString::FromUTF8(report.outbox_error->message())));
    else
        SetStatusText(wxString::Format(_("%s: up to date"), email));
    if (notify && new_in_inbox > 0) {
        wxNotificationMessage note(
            _("New mail"),
            wxString::Format(wxPLURAL("%lld new message for %s", "%lld new messages for %s", new_in_inbox),
                             static_cast<long long>(new_in_inbox), email),
            this);
        note.Show(wxNotificationMessage::Timeout_Auto);
    }
    load_tree();
    if (added > 0 || !report.mail.folders.empty()) list_->reload();
}

void MainFrame::update_activity() {
    if (syncs_.empty()) {
        activity_->Hide();
        GetChildren().front()->Layout();
        return;
    }
    const auto& [id, sync] = *syncs_.begin();
    (void)id;
    wxString text = wxString::Format(_("Getting mail for %s"), sync.what.empty() ? wxString() : sync.what);
    if (sync.total > 0) {
        activity_gauge_->SetValue(static_cast<int>(std::min<std::int64_t>(100, sync.done * 100 / sync.total)));
        text += wxString::Format(" (%lld/%lld)", static_cast<long long>(sync.done), static_cast<long long>(sync.total));
    } else {
        activity_gauge_->Pulse();
    }
    if (syncs_.size() > 1) text += " " + wxString::Format(_("and %zu more accounts"), syncs_.size() - 1);
    activity_text_->SetLabel(text);
    if (!activity_->IsShown()) {
        activity_->Show();
        GetChildren().front()->Layout();
    }
}

void MainFrame::cancel_jobs() {
    for (auto& [id, sync] : syncs_) sync.cancel->cancel();
    (void)0;
}

bool MainFrame::fallback_banner_shown() const { return banner_->IsShown(); }

void MainFrame::update_banner() {
    // The first account in password fallback, with the reason the policy recorded.
    for (const auto& entry : tree_->accounts()) {
        const auto& account = entry.account;
        if (account.mode != accounts::AccountMode::PasswordFallback) continue;
        banner_account_ = account.id;
        const wxString reason = wxString::FromUTF8(account.fallback_reason.value_or(""));
        banner_->show_reason(wxString::FromUTF8(account.email), reason);
        return;
    }
    banner_account_.reset();
    if (banner_->IsShown()) {
        banner_->Hide();
        banner_->GetParent()->Layout();
    }
}

void MainFrame::retry_oauth() {
    if (!banner_account_) return;
    const auto account_id = *banner_account_;
    SetStatusText(_("Trying Microsoft sign-in again..."));
    auto prompts_for_job = prompts();
    service_.account(account_id).run<accounts::PolicyDecision>(
        this,
        [account_id, prompts_for_job](const JobContext& job) {
            auto& profile = job.profile();
            const auto account = account_by_id(profile, account_id);
            if (!account) throw Error(ErrorCategory::NotFound, "This account was removed.");
            return profile.access(*account, prompts_for_job)->retry_oauth(job.cancel());
        },
        [this](accounts::PolicyDecision decision) {
            if (decision.action == accounts::PolicyAction::ReturnToOAuth)
                SetStatusText(_("Microsoft sign-in works again: the account uses it from now on."));
            else
                SetStatusText(wxString::Format(_("Microsoft sign-in still fails: %s"),
                                               wxString::FromUTF8(decision.message.empty() ? decision.reason : decision.message)));
            load_tree();
        },
        [this](const Error& error) {
            show_error(error);
            load_tree();
        });
}

void MainFrame::tell(const accounts::Account& account, const accounts::PolicyDecision& decision) {
    spdlog::info("main window: fallback policy for {}: {}", account.email, accounts::to_string(decision.action));
    if (!decision.message.empty()) SetStatusText(wxString::FromUTF8(account.email + ": " + decision.message));
    load_tree();  // the banner follows the account's mode
}

void MainFrame::show_error(const Error& error) {
    spdlog::error("main window: {}", error.log_line());
    if (error.category() == ErrorCategory::Cancelled) return;
    SetStatusText(wxString::FromUTF8(error.message()));
    if (options_.exit_when_ready && !ready_reported_) {
        ready_reported_ = true;
        std::printf("error: [%s] %s\n", std::string(to_string(error.category())).c_str(), error.message().c_str());
        std::fflush(stdout);
        set_exit_code(1);
        Close();
    }
}

}  // namespace tern::ui
