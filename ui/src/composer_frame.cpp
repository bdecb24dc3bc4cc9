#include "composer_frame.hpp"

#include "composer_address_popup.hpp"

#include "tern/mail/mailto.hpp"
#include "tern/mail/reply_builder.hpp"

#include <spdlog/spdlog.h>
#include <wx/button.h>
#include <wx/datetime.h>
#include <wx/dnd.h>
#include <wx/filedlg.h>
#include <wx/intl.h>
#include <wx/listbox.h>
#include <wx/panel.h>
#include <wx/settings.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

#include <chrono>
#include <optional>
#include <set>

namespace tern::ui {
namespace {

std::set<ComposerFrame*>& open_composers() {  // the UI thread's only
    static std::set<ComposerFrame*> open;
    return open;
}

std::string utf8(const wxString& text) { return std::string(text.utf8_str()); }
wxString wx(const std::string& text) { return wxString::FromUTF8(text); }

// Files dropped on the window (from a file manager) become attachments.
class AttachmentDrop : public wxFileDropTarget {
public:
    explicit AttachmentDrop(ComposerFrame& frame) : frame_(frame) {}
    bool OnDropFiles(wxCoord, wxCoord, const wxArrayString& names) override {
        std::vector<std::filesystem::path> files;
        for (const auto& name : names) files.push_back(std::filesystem::u8path(utf8(name)));
        frame_.add_attachments(files);
        return true;
    }

private:
    ComposerFrame& frame_;
};

}  // namespace

ComposerFrame::ComposerFrame(MailService& service, std::int64_t account_id, ComposeStart start, wxWindow* parent)
    : wxFrame(parent, wxID_ANY, _("New message"), wxDefaultPosition, wxSize(760, 620)),
      service_(service),
      account_id_(account_id),
      start_(std::move(start)) {
    open_composers().insert(this);
    build();
    autosave_.SetOwner(this);
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) { save_draft(); }, autosave_.GetId());
    Bind(wxEVT_CLOSE_WINDOW, &ComposerFrame::on_close, this);
    Bind(wxEVT_SIZE, [this](wxSizeEvent& event) {
        event.Skip();
        detail_text_->SetLabel(detail_);
        detail_text_->Wrap(std::max(200, event.GetSize().GetWidth() - 24));
    });
    load();
    load_addresses();
}

ComposerFrame::~ComposerFrame() {
    autosave_.Stop();
    open_composers().erase(this);
}

void ComposerFrame::close_all() {
    const auto open = open_composers();  // a copy: Close() may destroy at once
    for (auto* composer : open) composer->Close();
}

std::size_t ComposerFrame::open_count() { return open_composers().size(); }

wxTextCtrl* ComposerFrame::address_field(wxWindow* parent, const wxString& name) {
    auto* field = new wxTextCtrl(parent, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator, name);
    popups_.push_back(new AddressPopup(field, [this](const wxString& text) { return completions(text); }));
    return field;
}

void ComposerFrame::build() {
    auto* panel = new wxPanel(this);
    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(build_fields(panel), 0, wxEXPAND | wxALL, 12);
    body_ = new wxTextCtrl(panel, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxTE_MULTILINE | wxTE_RICH2,
                           wxDefaultValidator, "body");
    sizer->Add(body_, 1, wxEXPAND | wxLEFT | wxRIGHT, 12);
    sizer->Add(build_attachments(panel), 0, wxEXPAND | wxALL, 12);
    sizer->Add(build_bottom(panel), 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    panel->SetSizer(sizer);
    panel->SetDropTarget(new AttachmentDrop(*this));
    subject_->Bind(wxEVT_TEXT, [this](wxCommandEvent&) {
        SetTitle(subject_->GetValue().empty() ? _("New message") : subject_->GetValue());
    });
    save_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { save_draft(); });
    send_->Bind(wxEVT_BUTTON, &ComposerFrame::on_send, this);
    set_editable(false);
}

wxSizer* ComposerFrame::build_fields(wxWindow* panel) {
    auto* grid = new wxFlexGridSizer(2, wxSize(8, 6));
    grid->AddGrowableCol(1);
    const auto row = [&](const wxString& label, wxTextCtrl* field) {
        grid->Add(new wxStaticText(panel, wxID_ANY, label), 0, wxALIGN_CENTER_VERTICAL);
        grid->Add(field, 1, wxEXPAND);
    };
    to_ = address_field(panel, "to");
    cc_ = address_field(panel, "cc");
    bcc_ = address_field(panel, "bcc");
    subject_ = new wxTextCtrl(panel, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator, "subject");
    row(_("To:"), to_);
    row(_("Cc:"), cc_);
    row(_("Bcc:"), bcc_);
    row(_("Subject:"), subject_);
    return grid;
}

wxSizer* ComposerFrame::build_attachments(wxWindow* panel) {
    files_ = new wxListBox(panel, wxID_ANY, wxDefaultPosition, wxSize(-1, 64), 0, nullptr, wxLB_EXTENDED,
                           wxDefaultValidator, "attachments");
    files_->SetDropTarget(new AttachmentDrop(*this));
    attach_ = new wxButton(panel, wxID_ANY, _("&Attach files..."), wxDefaultPosition, wxDefaultSize, 0,
                           wxDefaultValidator, "attach");
    remove_file_ = new wxButton(panel, wxID_ANY, _("&Remove"), wxDefaultPosition, wxDefaultSize, 0,
                                wxDefaultValidator, "remove");
    remove_file_->Disable();
    auto* file_buttons = new wxBoxSizer(wxVERTICAL);
    file_buttons->Add(attach_, 0, wxEXPAND | wxBOTTOM, 4);
    file_buttons->Add(remove_file_, 0, wxEXPAND);
    auto* files_row = new wxBoxSizer(wxHORIZONTAL);
    files_row->Add(files_, 1, wxEXPAND | wxRIGHT, 8);
    files_row->Add(file_buttons, 0);
    auto* box = new wxBoxSizer(wxVERTICAL);
    box->Add(new wxStaticText(panel, wxID_ANY, _("Attachments (drop files here):")), 0, wxBOTTOM, 4);
    box->Add(files_row, 1, wxEXPAND);

    files_->Bind(wxEVT_LISTBOX, [this](wxCommandEvent&) {
        wxArrayInt selected;
        remove_file_->Enable(state_ == SendState::Editing && files_->GetSelections(selected) > 0);
    });
    attach_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        wxFileDialog dialog(this, _("Attach files"), "", "", wxFileSelectorDefaultWildcardStr,
                            wxFD_OPEN | wxFD_MULTIPLE | wxFD_FILE_MUST_EXIST);
        if (dialog.ShowModal() != wxID_OK) return;
        wxArrayString paths;
        dialog.GetPaths(paths);
        std::vector<std::filesystem::path> files;
        for (const auto& p : paths) files.push_back(std::filesystem::u8path(utf8(p)));
        add_attachments(files);
    });
    remove_file_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        wxArrayInt selected;
        files_->GetSelections(selected);
        std::sort(selected.begin(), selected.end(), std::greater<int>());
        for (const int i : selected) base_.attachments.erase(base_.attachments.begin() + i);
        refresh_attachments();
    });
    return box;
}

// The state and the buttons on one line, then the words that explain the state (wrapped: a
// server's refusal can be long).
wxSizer* ComposerFrame::build_bottom(wxWindow* panel) {
    state_text_ = new wxStaticText(panel, wxID_ANY, _("Loading..."), wxDefaultPosition, wxDefaultSize, 0, "state");
    state_text_->SetFont(state_text_->GetFont().Bold());
    detail_text_ = new wxStaticText(panel, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, "detail");
    save_ = new wxButton(panel, wxID_ANY, _("Save &draft"), wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator, "save");
    send_ = new wxButton(panel, wxID_ANY, _("&Send"), wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator, "send");
    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    buttons->Add(state_text_, 1, wxALIGN_CENTER_VERTICAL | wxRIGHT, 8);
    buttons->Add(save_, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, 8);
    buttons->Add(send_, 0, wxALIGN_CENTER_VERTICAL);
    auto* bottom = new wxBoxSizer(wxVERTICAL);
    bottom->Add(buttons, 0, wxEXPAND);
    bottom->Add(detail_text_, 0, wxEXPAND | wxTOP, 4);
    return bottom;
}

void ComposerFrame::load() {
    const auto account = account_id_;
    const auto start = start_;
    const auto intro = utf8(_("-------- Forwarded message --------"));
    const bool body_tried = body_tried_;
    service_.store().run<composer::StartData>(
        this,
        [account, start, intro, body_tried](const JobContext& job) {
            return composer::read_start(job.profile(), account, start, intro, body_tried);
        },
        [this](composer::StartData s) { show_start(std::move(s)); },
        [this](const Error& error) {
            state_text_->SetLabel(_("This message cannot be written"));
            show_error(_("Tern could not open what you asked to answer or resume."), error);
        });
}

// A message listed but not opened yet (bodies on demand): its text and files come from the server
// first, on the account's worker, then the start is read again (without the text if that failed).
void ComposerFrame::fetch_original_body() {
    body_tried_ = true;
    state_text_->SetLabel(_("Downloading the message..."));
    const auto account = account_id_;
    const auto message = start_.id;
    service_.account(account_id_).run<bool>(
        this,
        [account, message](const JobContext& job) {
            composer::download_original(job.profile(), account, message, job.cancel());
            return true;
        },
        [this](bool) { load(); },
        [this](const Error& error) {
            load();
            show_error(_("The message's text could not be downloaded, so it is not quoted."), error);
        });
}

void ComposerFrame::show_start(composer::StartData start) {
    if (start.needs_body) {
        fetch_original_body();
        return;
    }
    from_ = start.from;
    self_ = start.self;
    draft_id_ = start.draft_id;
    mail::ComposeFields f = std::move(start.fields);
    if (start.original) {
        const auto& o = *start.original;
        const auto when = o.date > 0 ? wxDateTime(static_cast<time_t>(o.date)) : wxDateTime();
        const auto sender = wx(mail::sender_of(o));
        const auto attribution =
            when.IsValid() ? wxString::Format(_("On %s at %s, %s wrote:"), when.Format(wxLocale::GetInfo(wxLOCALE_LONG_DATE_FMT)).Trim().Trim(false),
                                              when.Format("%H:%M"), sender)
                           : wxString::Format(_("%s wrote:"), sender);
        const auto kind = start_.kind == ComposeStart::Kind::ReplyAll ? mail::ReplyKind::ReplyAll : mail::ReplyKind::Reply;
        auto line = attribution;
        while (line.Replace("  ", " ")) {
        }
        f = mail::build_reply(o, kind, self_, utf8(line));
    }
    if (start_.kind == ComposeStart::Kind::Mailto) {
        try {
            f = mail::parse_mailto(start_.mailto);
        } catch (const Error& error) {
            show_error(_("This mailto: link cannot be read."), error);
        }
    }
    show_fields(f);
    if (draft_id_) saved_ = f;  // what the database holds already
    loaded_ = true;
    set_editable(true);
    show_state(SendState::Editing, draft_id_ ? _("Draft restored") : _("Not sent yet"));
    autosave_.Start(autosave_seconds * 1000);
    (f.to.empty() ? to_ : body_)->SetFocus();
    if (!f.to.empty()) body_->SetInsertionPoint(0);
}

void ComposerFrame::load_addresses() {
    const auto account = account_id_;
    service_.store().run<std::shared_ptr<const mail::AddressBook>>(
        this,
        [account](const JobContext& job) {
            auto& profile = job.profile();
            std::string self;
            for (const auto& a : profile.accounts())
                if (a.id == account) self = a.email;
            const auto started = std::chrono::steady_clock::now();
            auto book = std::make_shared<const mail::AddressBook>(mail::AddressBook::load(profile.profile.db(), account, {self}));
            spdlog::info("composer: {} known addresses read in {} ms", book->size(),
                         std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
            return std::shared_ptr<const mail::AddressBook>(book);
        },
        [this](std::shared_ptr<const mail::AddressBook> book) { book_ = std::move(book); },
        [](const Error& error) { spdlog::warn("composer: no address completion: {}", error.log_line()); });
}

std::vector<wxString> ComposerFrame::completions(const wxString& text) const {
    std::vector<wxString> out;
    if (!book_) return out;
    const auto cut = text.find_last_of(",;");
    const wxString head = cut == wxString::npos ? wxString() : text.Left(cut + 1) + " ";
    const wxString typed = cut == wxString::npos ? text : text.Mid(cut + 1);
    std::set<std::string> already;  // the addresses written before this one are not offered again
    for (const auto& written : mail::split_addresses(utf8(head))) already.insert(mail::address_key(written));
    for (const auto& known : book_->complete(utf8(typed.Strip(wxString::both)), 8 + already.size()))
        if (!already.count(mail::address_key(known.address)) && out.size() < 8)
            out.push_back(head + wx(mail::format_known_address(known)));
    return out;
}

std::vector<wxString> ComposerFrame::offered_completions() const {
    for (const auto* popup : popups_)
        if (popup->IsShown()) return popup->offers();
    return {};
}

mail::ComposeFields ComposerFrame::fields() const {
    mail::ComposeFields f = base_;
    f.to = mail::split_addresses(utf8(to_->GetValue()));
    f.cc = mail::split_addresses(utf8(cc_->GetValue()));
    f.bcc = mail::split_addresses(utf8(bcc_->GetValue()));
    f.subject = utf8(subject_->GetValue());
    f.body = utf8(body_->GetValue());
    return f;
}

void ComposerFrame::show_fields(const mail::ComposeFields& f) {
    to_->ChangeValue(wx(mail::join_addresses(f.to)));
    cc_->ChangeValue(wx(mail::join_addresses(f.cc)));
    bcc_->ChangeValue(wx(mail::join_addresses(f.bcc)));
    subject_->SetValue(wx(f.subject));  // SetValue: the title follows
    body_->ChangeValue(wx(f.body));
    base_ = f;
    base_.to.clear();
    base_.cc.clear();
    base_.bcc.clear();
    base_.subject.clear();
    base_.body.clear();
    refresh_attachments();
}

void ComposerFrame::add_attachments(const std::vector<std::filesystem::path>& files) {
    if (state_ != SendState::Editing) return;
    for (const auto& file : files)
        if (std::find(base_.attachments.begin(), base_.attachments.end(), file) == base_.attachments.end())
            base_.attachments.push_back(file);
    refresh_attachments();
}

void ComposerFrame::refresh_attachments() {
    files_->Clear();
    for (const auto& file : base_.attachments)
        files_->Append(wx(file.filename().u8string()) + "  (" +
                       (composer::is_forwarded_file(service_.location().dir, file) ? _("from the forwarded message")
                                                                         : wx(file.parent_path().u8string())) +
                       ")");
    remove_file_->Disable();
}

void ComposerFrame::save_draft(std::function<void()> then) {
    if (then) after_save_.push_back(std::move(then));
    if (saving_) return;  // the save in flight looks again when it ends
    auto current = fields();
    if (!loaded_ || state_ != SendState::Editing || current == saved_ || (current.empty() && draft_id_ == 0)) {
        run_after_save();
        return;
    }
    saving_ = true;
    const auto account = account_id_;
    const auto id = draft_id_;
    service_.store().run<std::int64_t>(
        this,
        [account, id, current](const JobContext& job) {
            return composer::write_draft(job.profile(), account, id, current);
        },
        [this, current](std::int64_t saved_id) {
            saving_ = false;
            draft_id_ = saved_id;
            saved_ = current;
            if (state_ == SendState::Editing)
                set_detail(saved_id ? wxString::Format(_("Draft saved at %s."), wxDateTime::Now().FormatTime())
                                          : wxString());
            save_draft();  // what changed meanwhile, then the waiting continuations
        },
        [this](const Error& error) {
            saving_ = false;
            show_error(_("The draft could not be saved."), error);
            run_after_save();
        });
}

void ComposerFrame::run_after_save() {
    auto waiting = std::move(after_save_);
    after_save_.clear();
    for (auto& then : waiting) then();
}

void ComposerFrame::on_close(wxCloseEvent& event) {
    autosave_.Stop();
    if (closing_ || !event.CanVeto()) {
        save_draft();  // the worker writes it even if this window is gone by then
        Destroy();
        return;
    }
    // The window goes at once; it is destroyed when what it holds is in the database.
    event.Veto();
    closing_ = true;
    Hide();
    save_draft([this] { Destroy(); });
}

void ComposerFrame::on_send(wxCommandEvent&) {
    if (!loaded_ || state_ != SendState::Editing || closing_) return;
    autosave_.Stop();
    set_editable(false);
    set_detail("");
    state_text_->SetLabel(_("Putting the message in the outbox..."));
    save_draft([this] {
        const auto account = account_id_;
        const auto from = from_;
        const auto f = fields();
        const auto draft = draft_id_;
        service_.store().run<mail::QueuedMessage>(
            this,
            [account, from, f, draft](const JobContext& job) {
                return composer::queue(job.profile(), account, from, f, draft);
            },
            [this](mail::QueuedMessage queued_message) {
                draft_id_ = 0;
                queued(queued_message.outbox_id);
            },
            [this](const Error& error) {
                set_editable(true);
                autosave_.Start(autosave_seconds * 1000);
                show_state(SendState::Editing, _("Not sent"));
                show_error(_("The message was not put in the outbox."), error);
            });
    });
}

void ComposerFrame::queued(std::int64_t outbox_id) {
    outbox_id_ = outbox_id;
    spdlog::info("composer: message queued in the outbox (entry {})", outbox_id);
    show_state(SendState::Queued, _("Queued"));
    set_detail(_("The message is safe in the outbox; Tern is sending it."));
    send_now();
}

void ComposerFrame::send_now() {
    const auto account = account_id_;
    const auto id = outbox_id_;
    service_.account(account_id_).run<composer::SendOutcome>(
        this,
        [account, id](const JobContext& job) {
            job.progress({"sending", 0, 0});
            return composer::send(job.profile(), account, id, job.cancel());
        },
        [this](composer::SendOutcome outcome) {
            const auto& entry = outcome.entry;
            if (!entry || entry->state == mail::OutboxState::Accepted) {
                show_state(SendState::Sent, _("Sent"));
                set_detail(entry ? _("The server accepted the message; its copy in Sent follows.")
                                             : _("The server accepted the message."));
            } else if (entry->state == mail::OutboxState::Failed) {
                show_state(SendState::Failed, _("Failed"));
                // The explanation usually quotes the server already; when not, its words follow.
                const bool quoted = entry->server_reply.empty() || entry->last_error.find(entry->server_reply) != std::string::npos;
                const auto reply = quoted ? wxString() : " " + wxString::Format(_("The server said: %s"), wx(entry->server_reply));
                set_detail(wx(entry->last_error) + reply, true);
            } else {
                show_state(SendState::Queued, _("Queued, not sent yet"));
                const auto why = outcome.stopped ? outcome.stopped->message() : entry->last_error;
                set_detail(wxString::Format(_("%s The message stays in the outbox and is sent at the next sync."),
                                                        wx(why)));
            }
            state_text_->GetParent()->Layout();
        },
        [this](const Error& error) {
            show_state(SendState::Queued, _("Queued, not sent yet"));
            show_error(_("The message stays in the outbox and is sent at the next sync."), error);
        },
        [this](const JobProgress&) { show_state(SendState::Sending, _("Sending...")); });
}

void ComposerFrame::show_state(SendState state, const wxString& words) {
    state_ = state;
    state_text_->SetLabel(words);
    wxColour colour = wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT);
    if (state == SendState::Queued || state == SendState::Sending) colour = wxColour(0x1f, 0x5f, 0xa8);
    if (state == SendState::Sent) colour = wxColour(0x1e, 0x7b, 0x34);
    if (state == SendState::Failed) colour = wxColour(0xb0, 0x1c, 0x1c);
    state_text_->SetForegroundColour(colour);
    state_text_->Refresh();
    state_text_->GetParent()->Layout();
}

void ComposerFrame::show_error(const wxString& what, const Error& error) {
    spdlog::warn("composer: {}", error.log_line());
    set_detail(what + " " + wx(error.message()), true);
}

void ComposerFrame::set_detail(const wxString& words, bool alarming) {
    detail_ = words;
    detail_text_->SetForegroundColour(alarming ? wxColour(0xb0, 0x1c, 0x1c)
                                               : wxSystemSettings::GetColour(wxSYS_COLOUR_WINDOWTEXT));
    detail_text_->SetLabel(words);
    detail_text_->Wrap(std::max(200, GetClientSize().GetWidth() - 24));
    state_text_->GetParent()->Layout();
}

void ComposerFrame::set_editable(bool editable) {
    for (auto* field : {to_, cc_, bcc_, subject_, body_}) field->SetEditable(editable);
    attach_->Enable(editable);
    save_->Enable(editable);
    send_->Enable(editable);
    wxArrayInt selected;
    remove_file_->Enable(editable && files_->GetSelections(selected) > 0);
}

}  // namespace tern::ui
