#include "composer_frame.hpp"

#include "tern/accounts/account_mail.hpp"
#include "tern/mail/drafts.hpp"
#include "tern/mail/imap_sync.hpp"
#include "tern/mail/mailto.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/outbox.hpp"
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
#include <wx/popupwin.h>
#include <wx/textctrl.h>

#include <chrono>
#include <optional>
#include <random>
#include <set>

namespace tern::ui {
namespace {

std::string utf8(const wxString& text) { return std::string(text.utf8_str()); }
wxString wx(const std::string& text) { return wxString::FromUTF8(text); }

}  // namespace

// The addresses that complete the one being typed (the text after the last comma), in a list
// under the field: Down/Up choose, Enter or Tab take, Escape or leaving the field close it. Not
// GTK's entry completion (wxTextCompleter): that one only offers entries that start with the
// whole text, so "bui" would never find "Bob Builder <bob@...>", nor "bob@" a named address.
class AddressPopup : public wxPopupWindow {
public:
    AddressPopup(wxTextCtrl* field, const ComposerFrame& frame)
        : wxPopupWindow(field, wxBORDER_SIMPLE), field_(field), frame_(frame) {
        list_ = new wxListBox(this, wxID_ANY);
        auto* sizer = new wxBoxSizer(wxVERTICAL);
        sizer->Add(list_, 1, wxEXPAND);
        SetSizer(sizer);
        field_->Bind(wxEVT_TEXT, [this](wxCommandEvent& event) {
            event.Skip();
            if (!taking_) update();
        });
        field_->Bind(wxEVT_KEY_DOWN, &AddressPopup::on_key, this);
        field_->Bind(wxEVT_KILL_FOCUS, [this](wxFocusEvent& event) {
            event.Skip();
            CallAfter([this] {
                const auto* focus = wxWindow::FindFocus();
                if (focus != list_ && focus != field_) Hide();
            });
        });
        list_->Bind(wxEVT_LISTBOX_DCLICK, [this](wxCommandEvent&) { take(); });
        list_->Bind(wxEVT_LEFT_UP, [this](wxMouseEvent& event) {
            event.Skip();
            CallAfter([this] { take(); });
        });
    }

    std::vector<wxString> offers() const {
        std::vector<wxString> out;
        if (IsShown())
            for (unsigned i = 0; i < list_->GetCount(); ++i) out.push_back(list_->GetString(i));
        return out;
    }

private:
    void update() {
        offers_ = frame_.completions(field_->GetValue());
        if (offers_.empty() || !field_->HasFocus() || !field_->IsEditable()) {
            Hide();
            return;
        }
        list_->Clear();
        for (const auto& offer : offers_) {
            const auto cut = offer.find_last_of(",;");
            list_->Append(cut == wxString::npos ? offer : offer.Mid(cut + 1).Strip(wxString::leading));
        }
        list_->SetSelection(0);
        const int row = list_->GetCharHeight() + 8;
        const wxSize size(field_->GetSize().GetWidth(), row * static_cast<int>(offers_.size()) + 6);
        SetSize(size);
        Layout();
        Position(field_->GetScreenPosition(), wxSize(0, field_->GetSize().GetHeight()));
        Show();
    }

    void take() {
        const int chosen = list_->GetSelection();
        if (!IsShown() || chosen == wxNOT_FOUND || chosen >= static_cast<int>(offers_.size())) return;
        Hide();
        // Focus first: GTK selects an entry's whole text when it gets focus, and the next key
        // would replace it. After a click the focus comes back later, hence the second move.
        if (!field_->HasFocus()) field_->SetFocus();
        taking_ = true;
        field_->ChangeValue(offers_[static_cast<std::size_t>(chosen)] + ", ");
        field_->SetInsertionPointEnd();
        taking_ = false;
        CallAfter([this] { field_->SetInsertionPointEnd(); });
    }

    void on_key(wxKeyEvent& event) {
        if (!IsShown()) {
            event.Skip();
            return;
        }
        const int count = static_cast<int>(list_->GetCount());
        switch (event.GetKeyCode()) {
        case WXK_DOWN:
            list_->SetSelection(std::min(list_->GetSelection() + 1, count - 1));
            break;
        case WXK_UP:
            list_->SetSelection(std::max(list_->GetSelection() - 1, 0));
            break;
        case WXK_RETURN:
        case WXK_NUMPAD_ENTER:
        case WXK_TAB:
            take();
            break;
        case WXK_ESCAPE:
            Hide();
            break;
        default:
            event.Skip();
        }
    }

    wxTextCtrl* field_;
    const ComposerFrame& frame_;
    wxListBox* list_ = nullptr;
    std::vector<wxString> offers_;
    bool taking_ = false;
};

namespace {

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

accounts::Account find_account(accounts::MailProfile& profile, std::int64_t id) {
    for (auto& account : profile.accounts())
        if (account.id == id) return account;
    throw Error(ErrorCategory::NotFound, "This account is no longer in the profile.");
}

// The original of a reply or forward: the whole message when its body is stored, else what the
// envelope says (the quote is then empty).
std::pair<mail::ParsedMessage, std::optional<std::string>> load_original(Database& db, std::int64_t id) {
    mail::MessageStore store(db);
    auto raw = store.raw_message_by_id(id);
    if (raw) return {mail::parse_message(*raw), std::move(raw)};
    const auto detail = store.message_by_id(id);
    if (!detail) throw Error(ErrorCategory::NotFound, "The message is no longer in the store.");
    auto parsed = mail::parse_message("To: " + detail->to + "\r\nCc: " + detail->cc + "\r\n\r\n");
    parsed.subject = detail->summary.subject;
    parsed.from = {{detail->summary.from_name, detail->summary.from_addr}};
    parsed.message_id = detail->message_id;
    parsed.in_reply_to = detail->in_reply_to;
    parsed.date = detail->summary.date;
    parsed.text_body = detail->text_body;
    return {std::move(parsed), std::nullopt};
}

std::filesystem::path forward_files_dir(const std::filesystem::path& profile_dir) {
    std::random_device random;
    return profile_dir / "draft-files" /
           (std::to_string(std::time(nullptr)) + "-" + std::to_string(random() % 1000000));
}

// Where the files of a forwarded message are copied (forward_files_dir).
bool is_forwarded_file(const std::filesystem::path& profile_dir, const std::filesystem::path& file) {
    return file.parent_path().parent_path() == profile_dir / "draft-files";
}

struct SendOutcome {
    std::optional<mail::OutboxEntry> entry;  // nullopt: sent, it left the outbox
    std::optional<Error> stopped;            // why the round stopped before this message went
};

}  // namespace

struct ComposerFrame::Start {
    std::string from;
    std::vector<std::string> self;
    std::int64_t draft_id = 0;
    mail::ComposeFields fields;
    std::optional<mail::ParsedMessage> original;  // a reply's: quoted on the UI thread in its words
    bool needs_body = false;  // the original's body is on the server only: download it first
};

ComposerFrame::ComposerFrame(MailService& service, std::int64_t account_id, ComposeStart start, wxWindow* parent)
    : wxFrame(parent, wxID_ANY, _("New message"), wxDefaultPosition, wxSize(760, 620)),
      service_(service),
      account_id_(account_id),
      start_(std::move(start)) {
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

ComposerFrame::~ComposerFrame() { autosave_.Stop(); }

wxTextCtrl* ComposerFrame::address_field(wxWindow* parent, const wxString& name) {
    auto* field = new wxTextCtrl(parent, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator, name);
    popups_.push_back(new AddressPopup(field, *this));
    return field;
}

void ComposerFrame::build() {
    auto* panel = new wxPanel(this);
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
    body_ = new wxTextCtrl(panel, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxTE_MULTILINE | wxTE_RICH2,
                           wxDefaultValidator, "body");

    files_ = new wxListBox(panel, wxID_ANY, wxDefaultPosition, wxSize(-1, 64), 0, nullptr, wxLB_EXTENDED,
                           wxDefaultValidator, "attachments");
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
    auto* files_box = new wxBoxSizer(wxVERTICAL);
    files_box->Add(new wxStaticText(panel, wxID_ANY, _("Attachments (drop files here):")), 0, wxBOTTOM, 4);
    files_box->Add(files_row, 1, wxEXPAND);

    state_text_ = new wxStaticText(panel, wxID_ANY, _("Loading..."), wxDefaultPosition, wxDefaultSize, 0, "state");
    state_text_->SetFont(state_text_->GetFont().Bold());
    detail_text_ = new wxStaticText(panel, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, "detail");
    save_ = new wxButton(panel, wxID_ANY, _("Save &draft"), wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator, "save");
    send_ = new wxButton(panel, wxID_ANY, _("&Send"), wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator, "send");
    send_->Disable();
    // The state, then the words that explain it (wrapped: a server's refusal can be long), then
    // the buttons at the end of the line.
    auto* bottom = new wxBoxSizer(wxVERTICAL);
    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    buttons->Add(state_text_, 1, wxALIGN_CENTER_VERTICAL | wxRIGHT, 8);
    buttons->Add(save_, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, 8);
    buttons->Add(send_, 0, wxALIGN_CENTER_VERTICAL);
    bottom->Add(buttons, 0, wxEXPAND);
    bottom->Add(detail_text_, 0, wxEXPAND | wxTOP, 4);

    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(grid, 0, wxEXPAND | wxALL, 12);
    sizer->Add(body_, 1, wxEXPAND | wxLEFT | wxRIGHT, 12);
    sizer->Add(files_box, 0, wxEXPAND | wxALL, 12);
    sizer->Add(bottom, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    panel->SetSizer(sizer);

    panel->SetDropTarget(new AttachmentDrop(*this));
    files_->SetDropTarget(new AttachmentDrop(*this));
    subject_->Bind(wxEVT_TEXT, [this](wxCommandEvent&) {
        SetTitle(subject_->GetValue().empty() ? _("New message") : subject_->GetValue());
    });
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
    save_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { save_draft(); });
    send_->Bind(wxEVT_BUTTON, &ComposerFrame::on_send, this);
    set_editable(false);
}

void ComposerFrame::load() {
    const auto account = account_id_;
    const auto start = start_;
    const auto intro = utf8(_("-------- Forwarded message --------"));
    const bool body_tried = body_tried_;
    service_.store().run<Start>(
        this,
        [account, start, intro, body_tried](const JobContext& job) {
            auto& profile = job.profile();
            const auto found = find_account(profile, account);
            Start s;
            s.from = mail::format_known_address({found.display_name, found.email, 0, 0});
            s.self = {found.email};
            auto& db = profile.profile.db();
            using Kind = ComposeStart::Kind;
            if (start.kind == Kind::Reply || start.kind == Kind::ReplyAll || start.kind == Kind::Forward) {
                const auto detail = mail::MessageStore(db).message_by_id(start.id);
                if (detail && !detail->summary.body_downloaded && detail->summary.uid > 0 && !body_tried) {
                    s.needs_body = true;
                    return s;
                }
                auto [original, raw] = load_original(db, start.id);
                if (start.kind != Kind::Forward) {
                    s.original = std::move(original);
                } else {
                    std::vector<std::filesystem::path> files;
                    if (raw) files = mail::save_attachments(*raw, forward_files_dir(profile.profile.dir()));
                    s.fields = mail::build_forward(original, intro, std::move(files));
                }
            } else if (start.kind == Kind::Draft) {
                mail::DraftStore drafts(db);
                std::optional<mail::SavedDraft> draft;
                if (start.id) draft = drafts.load(start.id);
                else if (auto all = drafts.list(account); !all.empty()) draft = all.front();
                if (draft && draft->account_id == account) {
                    s.fields = draft->fields;
                    s.draft_id = draft->id;
                }
            }
            return s;
        },
        [this](Start s) { show_start(std::move(s)); },
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
            auto& profile = job.profile();
            mail::MessageStore store(profile.profile.db());
            const auto detail = store.message_by_id(message);
            if (!detail || detail->summary.body_downloaded || detail->summary.uid == 0) return true;
            std::string path;
            for (const auto& folder : store.folders(account))
                if (folder.id == detail->summary.folder_id) path = folder.path;
            auto access = profile.access(find_account(profile, account), accounts::FallbackPrompts{});
            if (path.empty() || !access->has_server(mail::MailProtocol::Imap))
                throw Error(ErrorCategory::NotFound, "The message's text is not stored and there is no IMAP folder to fetch it from.");
            access->run(mail::MailProtocol::Imap, [&](const mail::ConnectionOptions& options) {
                mail::ImapSync(store, account, options).fetch_body(path, detail->summary.uid);
            }, job.cancel());
            return true;
        },
        [this](bool) { load(); },
        [this](const Error& error) {
            load();
            show_error(_("The message's text could not be downloaded, so it is not quoted."), error);
        });
}

void ComposerFrame::show_start(Start start) {
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
            const auto self = find_account(profile, account).email;
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
                       (is_forwarded_file(service_.location().dir, file) ? _("from the forwarded message")
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
        [account, id, current](const JobContext& job) -> std::int64_t {
            mail::DraftStore drafts(job.profile().profile.db());
            if (current.empty()) {  // everything was deleted: so is the draft
                drafts.remove(id);
                return 0;
            }
            return drafts.save(account, id, current);
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
                auto& profile = job.profile().profile;
                const auto queued_message = mail::queue_message(profile.db(), account, from, f, draft);
                // The forwarded message's files were copies for this message: it holds them now.
                for (const auto& file : f.attachments)
                    if (is_forwarded_file(profile.dir(), file)) {
                        std::error_code ignored;
                        std::filesystem::remove_all(file.parent_path(), ignored);
                    }
                return queued_message;
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
    service_.account(account_id_).run<SendOutcome>(
        this,
        [account, id](const JobContext& job) {
            job.progress({"sending", 0, 0});
            auto& profile = job.profile();
            auto access = profile.access(find_account(profile, account), accounts::FallbackPrompts{});
            SendOutcome outcome;
            try {
                accounts::send_outbox(*access, profile.profile.db(), job.cancel());
            } catch (const Error& error) {
                if (error.category() == ErrorCategory::Cancelled) throw;
                outcome.stopped = error;
            }
            outcome.entry = mail::Outbox(profile.profile.db()).entry(id);
            return outcome;
        },
        [this](SendOutcome outcome) {
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
