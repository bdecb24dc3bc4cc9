// The message list: a virtual list over a folder's message ids in the chosen order (or a search's
// hits). Only the ids are held for every message; the rows on screen are read a page at a time on
// the store worker and drawn as placeholders until they arrive, so 100 000 messages scroll as
// smoothly as 100.
#pragma once

#include "mail_service.hpp"
#include "tern/mail/message_listing.hpp"
#include "tern/mail/message_store.hpp"

#include <wx/listctrl.h>

class wxImageList;

#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace tern::ui {

class MessageList : public wxListCtrl {
public:
    MessageList(wxWindow* parent, MailService& service);

    // A folder's messages in the current order (read on the store worker).
    void show_folder(std::int64_t folder_id);
    // Search hits, in rank order (the list's order is then the hits').
    void show_messages(std::vector<std::int64_t> ids);
    void clear_messages();
    void set_order(mail::MessageOrder order, bool descending);

    std::optional<std::int64_t> folder() const { return folder_; }
    std::size_t size() const { return ids_.size(); }
    std::int64_t id_at(std::size_t row) const { return ids_.at(row); }
    // The summary of a row if it has been read (nullopt while its page is on the way).
    const mail::MessageSummary* summary_at(std::size_t row) const;
    std::vector<std::size_t> selected_rows() const;
    // Every selected message whose row has been read.
    std::vector<mail::MessageSummary> selected_summaries() const;
    bool loading() const { return loading_ids_ || !pending_pages_.empty(); }

    // The person's changes, shown at once (the store writes them on its worker).
    void update_flags(std::int64_t id, int flags);
    void remove_messages(const std::set<std::int64_t>& ids);
    // Reads the folder again (after a sync), keeping the selection and the scroll position.
    void reload();
    void select_row(std::size_t row);

    std::function<void(std::optional<mail::MessageSummary>)> on_selected;  // one message, or none/several
    std::function<void()> on_loaded;                                       // ids shown
    std::function<void()> on_page_loaded;                                  // rows of a page drawn
    std::function<void(int key)> on_key;                                    // keys the list does not use itself
    std::function<void(const Error&)> on_error;

protected:
    wxString OnGetItemText(long item, long column) const override;
    wxItemAttr* OnGetItemAttr(long item) const override;
    int OnGetItemImage(long item) const override;

private:
    static constexpr std::size_t page_size = 200;
    void request_page(std::size_t page) const;
    void page_arrived(std::uint64_t generation, std::size_t page, std::vector<mail::MessageSummary> rows);
    void set_ids(std::vector<std::int64_t> ids, bool keep_selection);
    void notify_selection();

    MailService& service_;
    std::optional<std::int64_t> folder_;
    mail::MessageOrder order_ = mail::MessageOrder::Date;
    bool descending_ = true;
    std::vector<std::int64_t> ids_;
    std::uint64_t generation_ = 0;  // a page read for an older list is dropped
    bool loading_ids_ = false;
    // Rows read so far, by message id; the pages asked for and not yet back.
    mutable std::map<std::int64_t, mail::MessageSummary> rows_;
    mutable std::set<std::size_t> pending_pages_;
    mutable wxItemAttr unread_attr_;
    std::unique_ptr<wxImageList> images_;
};

}  // namespace tern::ui
