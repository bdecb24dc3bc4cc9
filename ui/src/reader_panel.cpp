#include "reader_panel.hpp"

#include "html_view.hpp"

#include "tern/mail/imap_sync.hpp"
#include "tern/mail/parsed_message.hpp"
#include "tern/mail/remote_content_senders.hpp"

#include <spdlog/spdlog.h>
#include <wx/button.h>
#include <wx/choice.h>
#include <wx/datetime.h>
#include <wx/filedlg.h>
#include <wx/filename.h>
#include <wx/intl.h>
#include <wx/mimetype.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/stdpaths.h>
#include <wx/settings.h>
#include <wx/textctrl.h>
#include <wx/utils.h>

#include <filesystem>
#include <fstream>

namespace tern::ui {
namespace {

wxString size_text(std::int64_t bytes) {
    if (bytes < 1024) return wxString::Format(_("%lld bytes"), static_cast<long long>(bytes));
    if (bytes < 1024 * 1024) return wxString::Format(_("%.0f kB"), static_cast<double>(bytes) / 1024);
    return wxString::Format(_("%.1f MB"), static_cast<double>(bytes) / (1024 * 1024));
}

wxString sender_text(const mail::MessageSummary& s) {
    if (s.from_name.empty()) return wxString::FromUTF8(s.from_addr);
    return wxString::FromUTF8(s.from_name + " <" + s.from_addr + ">");
}

// The reader's own errors are raised on workers, where the catalog is not read: they are marked
// for it there (wxTRANSLATE) and looked up here, on the UI thread. The core's words pass as they are.
wxString translated(const Error& error) {
    const wxString text = wxString::FromUTF8(error.message());
    return text.empty() ? text : wxGetTranslation(text);
}

std::string folder_path(mail::MessageStore& store, std::int64_t account_id, std::int64_t folder_id) {
    for (const auto& f : store.folders(account_id))
        if (f.id == folder_id) return f.path;
    throw Error(ErrorCategory::NotFound, wxTRANSLATE("The message's folder is no longer there."));
}

std::string attachment_bytes(accounts::MailProfile& profile, std::int64_t message_id, std::size_t index) {
    mail::MessageStore store(profile.profile.db());
    const auto raw = store.raw_message_by_id(message_id);
    if (!raw) throw Error(ErrorCategory::NotFound, wxTRANSLATE("This message's body is not downloaded yet."));
    auto bytes = mail::attachment_content(*raw, index);
    if (!bytes) throw Error(ErrorCategory::NotFound, wxTRANSLATE("This message has no such attachment."));
    return std::move(*bytes);
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw Error(ErrorCategory::Storage, "Tern could not write " + path.string() + ". Is the disk full, or the folder read-only?");
}

}  // namespace

ReaderPanel::ReaderPanel(wxWindow* parent, MailService& service, std::function<accounts::FallbackPrompts()> prompts)
    : wxPanel(parent, wxID_ANY), service_(service), prompts_(std::move(prompts)) {
    SetName("reader");
    sizer_ = new wxBoxSizer(wxVERTICAL);
    subject_ = new wxStaticText(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxST_ELLIPSIZE_END);
    subject_->SetFont(subject_->GetFont().Scaled(1.25f).Bold());
    auto* grid = new wxFlexGridSizer(2, FromDIP(4), FromDIP(8));
    grid->AddGrowableCol(1);
    auto add_row = [&](const wxString& label, wxStaticText*& value) -> wxStaticText* {
        auto* name = new wxStaticText(this, wxID_ANY, label);
        name->SetForegroundColour(wxSystemSettings::GetColour(wxSYS_COLOUR_GRAYTEXT));
        value = new wxStaticText(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxST_ELLIPSIZE_END);
        grid->Add(name, 0, wxALIGN_TOP);
        grid->Add(value, 1, wxEXPAND);
        return name;
    };
    add_row(_("From:"), from_);
    add_row(_("To:"), to_);
    cc_label_ = add_row(_("Cc:"), cc_);
    add_row(_("Date:"), date_);

    attachments_row_ = new wxPanel(this);
    auto* arow = new wxBoxSizer(wxHORIZONTAL);
    arow->Add(new wxStaticText(attachments_row_, wxID_ANY, _("Attachments:")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(6));
    attachments_ = new wxChoice(attachments_row_, wxID_ANY);
    attachments_->SetName("attachments");
    auto* open = new wxButton(attachments_row_, wxID_OPEN, _("Open"));
    auto* save = new wxButton(attachments_row_, wxID_SAVE, _("Save..."));
    arow->Add(attachments_, 1, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(6));
    arow->Add(open, 0, wxRIGHT, FromDIP(4));
    arow->Add(save, 0);
    attachments_row_->SetSizer(arow);
    open->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { open_attachment(); });
    save->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { ask_and_save_attachment(); });

    remote_row_ = new wxPanel(this);
    remote_row_->SetBackgroundColour(wxSystemSettings::GetColour(wxSYS_COLOUR_INFOBK));
    auto* rrow = new wxBoxSizer(wxHORIZONTAL);
    remote_text_ = new wxStaticText(remote_row_, wxID_ANY,
                                    _("Tern blocked this message's remote images so that the sender cannot see when you read it."));
    remote_text_->SetForegroundColour(wxSystemSettings::GetColour(wxSYS_COLOUR_INFOTEXT));
    remote_button_ = new wxButton(remote_row_, wxID_ANY, _("Show remote content from this sender"));
    remote_button_->SetName("show-remote");
    rrow->Add(remote_text_, 1, wxALIGN_CENTER_VERTICAL | wxALL, FromDIP(6));
    rrow->Add(remote_button_, 0, wxALIGN_CENTER_VERTICAL | wxALL, FromDIP(4));
    remote_row_->SetSizer(rrow);
    remote_button_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { allow_remote_content(); });

    text_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize,
                           wxTE_MULTILINE | wxTE_READONLY | wxTE_RICH2 | wxTE_AUTO_URL | wxBORDER_NONE);
    text_->SetName("body-text");

    sizer_->Add(subject_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxTOP, FromDIP(10));
    headers_ = grid;
    sizer_->Add(grid, 0, wxEXPAND | wxALL, FromDIP(10));
    sizer_->Add(attachments_row_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, FromDIP(10));
    sizer_->Add(remote_row_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, FromDIP(10));
    sizer_->Add(text_, 1, wxEXPAND | wxLEFT, FromDIP(10));
    SetSizer(sizer_);
    clear();
}

void ReaderPanel::clear() {
    ++generation_;
    account_id_.reset();
    message_id_.reset();
    content_.reset();
    subject_->SetLabel("");
    for (auto* label : {from_, to_, cc_, date_}) label->SetLabel("");
    sizer_->Show(headers_, false);
    attachments_row_->Hide();
    remote_row_->Hide();
    if (html_) html_->window()->Hide();
    show_text("");
    text_->Hide();  // nothing chosen: an empty pane, not an empty text box
    Layout();
}

ReaderPanel::~ReaderPanel() = default;

bool ReaderPanel::showing_html() const { return html_ && html_->window()->IsShown(); }
bool ReaderPanel::showing_remote_offer() const { return remote_row_->IsShown(); }

void ReaderPanel::show_message(std::int64_t account_id, std::int64_t message_id) {
    const auto generation = ++generation_;
    account_id_ = account_id;
    message_id_ = message_id;
    service_.store().run<ReaderContent>(
        this,
        [message_id](const JobContext& job) {
            auto& db = job.profile().profile.db();
            mail::MessageStore store(db);
            auto detail = store.message_by_id(message_id);
            if (!detail) throw Error(ErrorCategory::NotFound, wxTRANSLATE("This message is no longer in the folder."));
            ReaderContent content{std::move(*detail), std::nullopt, false};
            if (content.detail.summary.body_downloaded) {
                if (const auto raw = store.raw_message_by_id(message_id)) {
                    const auto parsed = mail::parse_message(*raw);
                    if (!parsed.html_body.empty()) {
                        content.remote_allowed = mail::remote_content_allowed(db, content.detail.summary.from_addr);
                        content.html = mail::reader_document(*raw, parsed, content.remote_allowed);
                    }
                }
            }
            return content;
        },
        [this, generation, account_id, message_id](ReaderContent content) {
            if (generation != generation_) return;
            const bool downloaded = content.detail.summary.body_downloaded;
            present(std::move(content));
            if (!downloaded) fetch_body(account_id, message_id);
        },
        [this, generation](const Error& error) {
            if (generation != generation_) return;
            show_text(translated(error));
            if (on_error) on_error(error);
        });
}

void ReaderPanel::fetch_body(std::int64_t account_id, std::int64_t message_id) {
    const auto generation = generation_;
    show_text(_("Downloading this message..."));
    auto prompts = prompts_ ? prompts_() : accounts::FallbackPrompts{};
    service_.account(account_id).run<bool>(
        this,
        [account_id, message_id, prompts](const JobContext& job) {
            auto& profile = job.profile();
            mail::MessageStore store(profile.profile.db());
            const auto detail = store.message_by_id(message_id);
            if (!detail || detail->summary.body_downloaded || detail->summary.uid == 0) return true;
            std::optional<accounts::Account> account;
            for (auto& a : profile.accounts())
                if (a.id == account_id) account = a;
            if (!account) throw Error(ErrorCategory::NotFound, wxTRANSLATE("The account of this message was removed."));
            const auto path = folder_path(store, account_id, detail->summary.folder_id);
            auto access = profile.access(*account, prompts);
            if (!access->has_server(mail::MailProtocol::Imap))
                throw Error(ErrorCategory::NotFound, wxTRANSLATE("This message's body was not downloaded and the account has no IMAP server to fetch it from."));
            access->run(mail::MailProtocol::Imap, [&](const mail::ConnectionOptions& options) {
                mail::ImapSync(store, account_id, options).fetch_body(path, detail->summary.uid);
            }, job.cancel());
            return true;
        },
        [this, generation, account_id, message_id](bool) {
            if (generation == generation_) show_message(account_id, message_id);
        },
        [this, generation](const Error& error) {
            if (generation != generation_) return;
            show_text(wxString::Format(_("This message could not be downloaded: %s"), translated(error)));
            if (on_error) on_error(error);
        });
}

void ReaderPanel::present(ReaderContent content) {
    const auto& d = content.detail;
    const auto& s = d.summary;
    subject_->SetLabel(s.subject.empty() ? _("(no subject)") : wxString::FromUTF8(s.subject));
    from_->SetLabel(sender_text(s));
    to_->SetLabel(wxString::FromUTF8(d.to));
    cc_->SetLabel(wxString::FromUTF8(d.cc));
    sizer_->Show(headers_, true);
    // An empty Cc row says nothing: only the rows with something in them.
    cc_->Show(!d.cc.empty());
    cc_label_->Show(!d.cc.empty());
    date_->SetLabel(s.date > 0 ? wxDateTime(static_cast<time_t>(s.date)).Format("%c") : wxString());
    // Attachments a person would save: not the images the HTML shows itself.
    attachments_->Clear();
    for (std::size_t i = 0; i < d.attachments.size(); ++i) {
        const auto& a = d.attachments[i];
        if (content.html && a.is_inline && !a.content_id.empty()) continue;
        const wxString name = a.filename.empty() ? wxString::FromUTF8(a.mime_type) : wxString::FromUTF8(a.filename);
        attachments_->Append(wxString::Format("%s (%s)", name, size_text(a.size)),
                             reinterpret_cast<void*>(static_cast<std::uintptr_t>(i)));
    }
    if (!attachments_->IsEmpty()) attachments_->SetSelection(0);
    attachments_row_->Show(!attachments_->IsEmpty());
    if (content.html) {
        remote_row_->Show(content.html->has_remote_content && !content.remote_allowed);
        show_html(content.html->html, d.text_body);
    } else {
        remote_row_->Hide();
        show_text(s.body_downloaded ? wxString::FromUTF8(d.text_body) : _("Downloading this message..."));
    }
    content_ = std::move(content);
    Layout();
    if (on_shown) on_shown(*content_);
}

void ReaderPanel::show_text(const wxString& text) {
    if (html_) html_->window()->Hide();
    text_->Show();
    text_->ChangeValue(text);
    text_->ShowPosition(0);
    Layout();
}

void ReaderPanel::show_html(const std::string& html, const std::string& text) {
    if (!html_) {
        wxString why;
        html_ = create_html_view(this, why);
        if (!html_) {
            // The message is still readable: its text, with the reason the HTML is not shown.
            spdlog::warn("reader: no HTML view: {}", why.utf8_string());
            show_text(wxString::Format(_("(This message is HTML, shown here as text: %s.)"), why) + "\n\n" +
                      wxString::FromUTF8(text));
            return;
        }
        sizer_->Add(html_->window(), 1, wxEXPAND);
    }
    text_->Hide();
    html_->window()->Show();
    html_->set_page(wxString::FromUTF8(html));
    Layout();
}

void ReaderPanel::allow_remote_content() {
    if (!content_ || !account_id_ || !message_id_) return;
    const auto sender = content_->detail.summary.from_addr;
    const auto account_id = *account_id_;
    const auto message_id = *message_id_;
    service_.store().run<bool>(
        this,
        [sender](const JobContext& job) {
            mail::allow_remote_content(job.profile().profile.db(), sender);
            return true;
        },
        [this, account_id, message_id](bool) { show_message(account_id, message_id); },
        [this](const Error& error) {
            if (on_error) on_error(error);
        });
}

void ReaderPanel::save_attachment(std::size_t index, const wxString& path, std::function<void(const Error*)> done) {
    if (!message_id_) return;
    const auto message_id = *message_id_;
    const std::filesystem::path target(path.utf8_string());
    service_.store().run<bool>(
        this,
        [message_id, index, target](const JobContext& job) {
            write_file(target, attachment_bytes(job.profile(), message_id, index));
            return true;
        },
        [done](bool) {
            if (done) done(nullptr);
        },
        [this, done](const Error& error) {
            if (done) done(&error);
            if (on_error) on_error(error);
        });
}

void ReaderPanel::ask_and_save_attachment() {
    const int choice = attachments_->GetSelection();
    if (choice == wxNOT_FOUND || !content_) return;
    const auto index = static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(attachments_->GetClientData(choice)));
    const auto& info = content_->detail.attachments.at(index);
    wxFileDialog dialog(this, _("Save attachment"), wxStandardPaths::Get().GetUserDir(wxStandardPaths::Dir_Downloads),
                        wxString::FromUTF8(info.filename), wxFileSelectorDefaultWildcardStr,
                        wxFD_SAVE | wxFD_OVERWRITE_PROMPT);
    if (dialog.ShowModal() != wxID_OK) return;
    save_attachment(index, dialog.GetPath());
}

void ReaderPanel::open_attachment() {
    const int choice = attachments_->GetSelection();
    if (choice == wxNOT_FOUND || !content_ || !message_id_) return;
    const auto index = static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(attachments_->GetClientData(choice)));
    std::string name = content_->detail.attachments.at(index).filename;
    if (name.empty()) name = "attachment";
    // A private folder of the user's: other users of the machine must not read mail attachments.
    const auto dir = std::filesystem::temp_directory_path() /
                     ("tern-" + std::to_string(static_cast<long long>(wxGetProcessId()))) /
                     std::to_string(*message_id_);
    const auto target = dir / std::filesystem::path(name).filename();
    const auto message_id = *message_id_;
    service_.store().run<std::string>(
        this,
        [message_id, index, dir, target](const JobContext& job) {
            std::filesystem::create_directories(dir);
            std::filesystem::permissions(dir.parent_path(), std::filesystem::perms::owner_all,
                                         std::filesystem::perm_options::replace);
            write_file(target, attachment_bytes(job.profile(), message_id, index));
            return target.string();
        },
        [](std::string path) { wxLaunchDefaultApplication(wxString::FromUTF8(path)); },
        [this](const Error& error) {
            if (on_error) on_error(error);
        });
}

}  // namespace tern::ui
