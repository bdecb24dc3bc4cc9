// The composer: a window that writes one message (new, reply, reply-all, forward, a mailto: link
// or a saved draft) and hands it to the outbox. Its content is saved as a draft every few seconds
// and on close; Send queues it (on disk before "Queued" shows) and the account's worker sends it,
// the window following the message through Queued, Sending, Sent or Failed. A thin presenter over
// mail/compose.hpp, reply_builder.hpp, mailto.hpp, address_book.hpp and drafts.hpp.
#pragma once

#include "composer_jobs.hpp"
#include "mail_service.hpp"

#include "tern/mail/address_book.hpp"
#include "tern/mail/compose.hpp"

#include <wx/frame.h>
#include <wx/timer.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

class wxButton;
class wxListBox;
class wxSizer;
class wxStaticText;
class wxTextCtrl;

namespace tern::ui {

class AddressPopup;

// Where the message is, as the window shows it.
enum class SendState { Editing, Queued, Sending, Sent, Failed };

class ComposerFrame : public wxFrame {
public:
    ComposerFrame(MailService& service, std::int64_t account_id, ComposeStart start, wxWindow* parent = nullptr);
    ~ComposerFrame() override;

    SendState state() const { return state_; }
    bool ready() const { return loaded_; }  // the start (message, draft, addresses) is in the window
    std::int64_t draft_id() const { return draft_id_; }
    // The files the message will carry; the dialog and drag-and-drop add through add_attachments.
    void add_attachments(const std::vector<std::filesystem::path>& files);
    const std::vector<std::filesystem::path>& attachments() const { return base_.attachments; }
    // What completion offers for the text of an address field (the whole text, as the field shows it).
    std::vector<wxString> completions(const wxString& text) const;
    bool addresses_loaded() const { return static_cast<bool>(book_); }
    // What the list under the address field being typed in offers now (empty when it is closed).
    std::vector<wxString> offered_completions() const;

    static constexpr int autosave_seconds = 5;

    // At the program's end, before the MailService goes: closes every composer (each saves its
    // draft, then destroys itself); pump events until open_count() is 0.
    static void close_all();
    static std::size_t open_count();

private:
    void build();
    wxSizer* build_fields(wxWindow* panel);
    wxSizer* build_attachments(wxWindow* panel);
    wxSizer* build_bottom(wxWindow* panel);
    wxTextCtrl* address_field(wxWindow* parent, const wxString& name);
    void load();
    void show_start(composer::StartData start);
    void fetch_original_body();
    void load_addresses();
    mail::ComposeFields fields() const;
    void show_fields(const mail::ComposeFields& f);
    void refresh_attachments();

    // Saves when the content changed since the last save; `then` runs after it (and after any save
    // in flight), also when nothing needed saving or the save failed.
    void save_draft(std::function<void()> then = {});
    void on_close(wxCloseEvent& event);
    void on_send(wxCommandEvent&);
    void queued(std::int64_t outbox_id);
    void send_now();
    void run_after_save();
    void show_state(SendState state, const wxString& words);
    void show_error(const wxString& what, const Error& error);
    void set_detail(const wxString& words, bool alarming = false);
    void set_editable(bool editable);

    MailService& service_;
    std::int64_t account_id_;
    ComposeStart start_;
    SendState state_ = SendState::Editing;
    bool loaded_ = false;
    bool closing_ = false;
    bool body_tried_ = false;  // the original's body was asked from the server once
    std::string from_;  // "Name <address>" of the account
    std::vector<std::string> self_;
    std::int64_t draft_id_ = 0;
    std::int64_t outbox_id_ = 0;
    mail::ComposeFields saved_;  // what the draft in the database holds
    bool saving_ = false;
    std::vector<std::function<void()>> after_save_;
    mail::ComposeFields base_;  // what the controls do not show: the thread headers, the files
    std::shared_ptr<const mail::AddressBook> book_;
    std::vector<AddressPopup*> popups_;  // one under each address field, owned by it

    wxTextCtrl* to_ = nullptr;
    wxTextCtrl* cc_ = nullptr;
    wxTextCtrl* bcc_ = nullptr;
    wxTextCtrl* subject_ = nullptr;
    wxTextCtrl* body_ = nullptr;
    wxListBox* files_ = nullptr;
    wxButton* remove_file_ = nullptr;
    wxButton* attach_ = nullptr;
    wxButton* save_ = nullptr;
    wxButton* send_ = nullptr;
    wxStaticText* state_text_ = nullptr;
    wxStaticText* detail_text_ = nullptr;
    wxString detail_;  // unwrapped, to wrap again when the window is resized
    wxTimer autosave_;
};

}  // namespace tern::ui
