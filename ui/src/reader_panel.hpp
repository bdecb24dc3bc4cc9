// The reader: a message's headers, its attachments (open, save) and its body — HTML in a web view
// behind the reader's content policy (no scripts; remote content only for senders the person
// allowed), plain text otherwise. A body not downloaded yet is fetched on the account's worker.
#pragma once

#include "mail_service.hpp"
#include "tern/accounts/account_access.hpp"
#include "tern/mail/message_store.hpp"
#include "tern/mail/reader_document.hpp"

#include <wx/panel.h>

#include <functional>
#include <memory>
#include <optional>

class wxBoxSizer;
class wxSizer;
class wxButton;
class wxChoice;
class wxStaticText;
class wxTextCtrl;

namespace tern::ui {

class HtmlView;

struct ReaderContent {
    mail::MessageDetail detail;
    std::optional<mail::ReaderDocument> html;  // an HTML message
    bool remote_allowed = false;
};

class ReaderPanel : public wxPanel {
public:
    // `prompts` make the account's access for a body that must be downloaded.
    ReaderPanel(wxWindow* parent, MailService& service, std::function<accounts::FallbackPrompts()> prompts);
    ~ReaderPanel() override;

    void show_message(std::int64_t account_id, std::int64_t message_id);
    void clear();

    std::optional<std::int64_t> message_id() const { return message_id_; }
    const std::optional<ReaderContent>& content() const { return content_; }
    bool showing_html() const;
    bool showing_remote_offer() const;

    // Saves attachment `index` to `path` (on the store worker); `done` on the UI thread.
    void save_attachment(std::size_t index, const wxString& path, std::function<void(const Error*)> done = {});
    // Allows remote content for the sender of the message shown, and shows it again.
    void allow_remote_content();

    std::function<void(const Error&)> on_error;
    std::function<void(const ReaderContent&)> on_shown;

private:
    void present(ReaderContent content);
    void fetch_body(std::int64_t account_id, std::int64_t message_id);
    void open_attachment();
    void ask_and_save_attachment();
    void show_html(const std::string& html, const std::string& text);
    void show_text(const wxString& text);

    MailService& service_;
    std::function<accounts::FallbackPrompts()> prompts_;
    std::uint64_t generation_ = 0;
    std::optional<std::int64_t> account_id_, message_id_;
    std::optional<ReaderContent> content_;

    wxBoxSizer* sizer_ = nullptr;
    wxStaticText* subject_ = nullptr;
    wxStaticText* from_ = nullptr;
    wxStaticText* to_ = nullptr;
    wxStaticText* cc_ = nullptr;
    wxStaticText* cc_label_ = nullptr;
    wxSizer* headers_ = nullptr;
    wxStaticText* date_ = nullptr;
    wxPanel* attachments_row_ = nullptr;
    wxChoice* attachments_ = nullptr;
    wxPanel* remote_row_ = nullptr;
    wxStaticText* remote_text_ = nullptr;
    wxButton* remote_button_ = nullptr;
    wxTextCtrl* text_ = nullptr;
    std::unique_ptr<HtmlView> html_;  // made when the first HTML message shows
};

}  // namespace tern::ui
