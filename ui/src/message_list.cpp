#include "message_list.hpp"

#include <wx/artprov.h>
#include <wx/datetime.h>
#include <wx/imaglist.h>
#include <wx/intl.h>

#include <algorithm>

namespace tern::ui {
namespace {

enum Column { ColumnFlag, ColumnFrom, ColumnSubject, ColumnDate, ColumnCount };

wxString date_text(std::int64_t unix_time) {
    if (unix_time <= 0) return {};
    const wxDateTime when(static_cast<time_t>(unix_time));
    const wxDateTime now = wxDateTime::Now();
    if (when.IsSameDate(now)) return when.FormatTime();
    return when.FormatDate() + " " + when.Format("%H:%M");
}

}  // namespace

MessageList::MessageList(wxWindow* parent, MailService& service)
    : wxListCtrl(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxLC_REPORT | wxLC_VIRTUAL),
      service_(service) {
    SetName("messages");
    AppendColumn("", wxLIST_FORMAT_CENTER, FromDIP(28));
    AppendColumn(_("From"), wxLIST_FORMAT_LEFT, FromDIP(200));
    AppendColumn(_("Subject"), wxLIST_FORMAT_LEFT, FromDIP(380));
    AppendColumn(_("Date"), wxLIST_FORMAT_LEFT, FromDIP(140));
    ShowSortIndicator(ColumnDate, false);
    // A document icon in the first column marks a message with attachments (fonts lack a paper clip).
    const wxSize icon = FromDIP(wxSize(16, 16));
    images_ = std::make_unique<wxImageList>(icon.x, icon.y);
    images_->Add(wxArtProvider::GetBitmap(wxART_NORMAL_FILE, wxART_LIST, icon));
    SetImageList(images_.get(), wxIMAGE_LIST_SMALL);
    auto font = GetFont();
    font.MakeBold();
    unread_attr_.SetFont(font);

    Bind(wxEVT_LIST_ITEM_SELECTED, [this](wxListEvent&) { notify_selection(); });
    Bind(wxEVT_LIST_ITEM_DESELECTED, [this](wxListEvent&) { notify_selection(); });
    Bind(wxEVT_LIST_COL_CLICK, [this](wxListEvent& event) {
        mail::MessageOrder order;
        switch (event.GetColumn()) {
            case ColumnFrom: order = mail::MessageOrder::Sender; break;
            case ColumnSubject: order = mail::MessageOrder::Subject; break;
            case ColumnDate: order = mail::MessageOrder::Date; break;
            default: return;
        }
        // The same column again turns the order round; a new one starts in its natural direction.
        const bool descending = order == order_ ? !descending_ : order == mail::MessageOrder::Date;
        set_order(order, descending);
    });
    Bind(wxEVT_LIST_KEY_DOWN, [this](wxListEvent& event) {
        if (on_key) on_key(event.GetKeyCode());
    });
}

void MessageList::set_order(mail::MessageOrder order, bool descending) {
    order_ = order;
    descending_ = descending;
    const int column = order == mail::MessageOrder::Date     ? ColumnDate
                       : order == mail::MessageOrder::Sender ? ColumnFrom
                                                              : ColumnSubject;
    ShowSortIndicator(column, !descending);
    if (folder_) reload();
}

void MessageList::show_folder(std::int64_t folder_id) {
    folder_ = folder_id;
    loading_ids_ = true;  // the empty list below is not the folder's
    set_ids({}, false);
    reload();
}

void MessageList::reload() {
    if (!folder_) return;
    const auto generation = ++generation_;
    loading_ids_ = true;
    const auto folder_id = *folder_;
    const auto order = order_;
    const bool descending = descending_;
    service_.store().run<std::vector<std::int64_t>>(
        this,
        [folder_id, order, descending](const JobContext& job) {
            return mail::ordered_message_ids(job.profile().profile.db(), folder_id, order, descending);
        },
        [this, generation](std::vector<std::int64_t> ids) {
            if (generation != generation_) return;
            loading_ids_ = false;
            set_ids(std::move(ids), true);
        },
        [this, generation](const Error& error) {
            if (generation != generation_) return;
            loading_ids_ = false;
            if (on_error) on_error(error);
        });
}

void MessageList::show_messages(std::vector<std::int64_t> ids) {
    folder_.reset();
    ++generation_;
    loading_ids_ = false;
    set_ids(std::move(ids), false);
}

void MessageList::clear_messages() {
    folder_.reset();
    ++generation_;
    loading_ids_ = false;
    set_ids({}, false);
}

void MessageList::set_ids(std::vector<std::int64_t> ids, bool keep_selection) {
    // Keep the selected messages and the first visible one where they are now, by id.
    std::set<std::int64_t> selected;
    std::optional<std::int64_t> top;
    if (keep_selection) {
        for (auto row : selected_rows()) selected.insert(ids_[row]);
        const long first = GetTopItem();
        if (first >= 0 && static_cast<std::size_t>(first) < ids_.size()) top = ids_[first];
    }
    ++generation_;
    ids_ = std::move(ids);
    rows_.clear();
    pending_pages_.clear();
    Freeze();
    // Every row loses its selection first: a virtual list keeps selection by row number.
    if (GetItemCount() > 0) SetItemState(-1, 0, wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED);
    SetItemCount(static_cast<long>(ids_.size()));
    long focus = -1;
    for (std::size_t row = 0; row < ids_.size() && !selected.empty(); ++row)
        if (selected.count(ids_[row])) {
            SetItemState(static_cast<long>(row), wxLIST_STATE_SELECTED, wxLIST_STATE_SELECTED);
            if (focus < 0) focus = static_cast<long>(row);
        }
    if (focus >= 0) SetItemState(focus, wxLIST_STATE_FOCUSED, wxLIST_STATE_FOCUSED);
    if (top) {
        const auto it = std::find(ids_.begin(), ids_.end(), *top);
        if (it != ids_.end()) {
            // Scrolls so that the old top row is visible; EnsureVisible of the last row first puts it on top.
            const long row = static_cast<long>(it - ids_.begin());
            const long below = std::min<long>(row + std::max(GetCountPerPage(), 1) - 1, GetItemCount() - 1);
            EnsureVisible(below);
            EnsureVisible(row);
        }
    }
    Refresh();
    Thaw();
    if (on_loaded) on_loaded();
    if (selected.empty()) notify_selection();
}

const mail::MessageSummary* MessageList::summary_at(std::size_t row) const {
    if (row >= ids_.size()) return nullptr;
    const auto it = rows_.find(ids_[row]);
    return it == rows_.end() ? nullptr : &it->second;
}

std::vector<std::size_t> MessageList::selected_rows() const {
    std::vector<std::size_t> rows;
    for (long item = GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED); item >= 0;
         item = GetNextItem(item, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED))
        if (static_cast<std::size_t>(item) < ids_.size()) rows.push_back(static_cast<std::size_t>(item));
    return rows;
}

std::vector<mail::MessageSummary> MessageList::selected_summaries() const {
    std::vector<mail::MessageSummary> out;
    for (auto row : selected_rows())
        if (const auto* s = summary_at(row)) out.push_back(*s);
    return out;
}

void MessageList::select_row(std::size_t row) {
    if (row >= ids_.size()) return;
    SetItemState(-1, 0, wxLIST_STATE_SELECTED);
    SetItemState(static_cast<long>(row), wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED,
                 wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED);
    EnsureVisible(static_cast<long>(row));
}

void MessageList::notify_selection() {
    if (!on_selected) return;
    const auto rows = selected_rows();
    if (rows.size() == 1) {
        if (const auto* s = summary_at(rows.front())) {
            on_selected(*s);
            return;
        }
        // The row's page is on the way: page_arrived tells when it is here.
        request_page(rows.front() / page_size);
        return;
    }
    on_selected(std::nullopt);
}

void MessageList::update_flags(std::int64_t id, int flags) {
    auto it = rows_.find(id);
    if (it == rows_.end()) return;
    it->second.flags = flags;
    const auto pos = std::find(ids_.begin(), ids_.end(), id);
    if (pos != ids_.end()) RefreshItem(static_cast<long>(pos - ids_.begin()));
}

void MessageList::remove_messages(const std::set<std::int64_t>& ids) {
    if (ids.empty()) return;
    auto rows = selected_rows();
    const std::size_t next_row = rows.empty() ? 0 : rows.front();
    std::vector<std::int64_t> kept;
    kept.reserve(ids_.size());
    for (auto id : ids_)
        if (!ids.count(id)) kept.push_back(id);
    auto cached = std::move(rows_);
    set_ids(std::move(kept), false);
    for (auto& [id, row] : cached)
        if (!ids.count(id)) rows_.emplace(id, std::move(row));
    // The message after the removed ones is the next to read, as in every mail program.
    if (!ids_.empty()) select_row(std::min(next_row, ids_.size() - 1));
}

void MessageList::request_page(std::size_t page) const {
    if (pending_pages_.count(page)) return;
    const std::size_t begin = page * page_size;
    if (begin >= ids_.size()) return;
    const std::size_t end = std::min(ids_.size(), begin + page_size);
    pending_pages_.insert(page);
    std::vector<std::int64_t> wanted(ids_.begin() + static_cast<long>(begin), ids_.begin() + static_cast<long>(end));
    const auto generation = generation_;
    auto* self = const_cast<MessageList*>(this);
    service_.store().run<std::vector<mail::MessageSummary>>(
        self,
        [wanted = std::move(wanted)](const JobContext& job) {
            return mail::message_summaries(job.profile().profile.db(), wanted);
        },
        [self, generation, page](std::vector<mail::MessageSummary> rows) {
            self->page_arrived(generation, page, std::move(rows));
        },
        [self, generation, page](const Error& error) {
            if (generation != self->generation_) return;
            self->pending_pages_.erase(page);
            if (self->on_error) self->on_error(error);
        });
}

void MessageList::page_arrived(std::uint64_t generation, std::size_t page, std::vector<mail::MessageSummary> rows) {
    if (generation != generation_) return;
    pending_pages_.erase(page);
    for (auto& row : rows) rows_[row.id] = std::move(row);
    const long first = static_cast<long>(page * page_size);
    const long last = std::min<long>(GetItemCount() - 1, first + static_cast<long>(page_size) - 1);
    if (first <= last) RefreshItems(first, last);
    if (on_page_loaded) on_page_loaded();
    const auto selected = selected_rows();
    if (selected.size() == 1 && selected.front() / page_size == page) notify_selection();
}

wxString MessageList::OnGetItemText(long item, long column) const {
    const auto* row = summary_at(static_cast<std::size_t>(item));
    if (!row) {
        request_page(static_cast<std::size_t>(item) / page_size);
        return column == ColumnSubject ? wxString(wxString::FromUTF8("…")) : wxString();
    }
    switch (column) {
        case ColumnFlag: {
            wxString marks;
            if (row->flags & mail::MessageFlag::Flagged) marks += wxString::FromUTF8("★");
            return marks;
        }
        case ColumnFrom: return wxString::FromUTF8(row->from_name.empty() ? row->from_addr : row->from_name);
        case ColumnSubject: return row->subject.empty() ? _("(no subject)") : wxString::FromUTF8(row->subject);
        case ColumnDate: return date_text(row->date);
        default: return {};
    }
}

int MessageList::OnGetItemImage(long item) const {
    const auto* row = summary_at(static_cast<std::size_t>(item));
    return row && row->has_attachments ? 0 : -1;
}

wxItemAttr* MessageList::OnGetItemAttr(long item) const {
    const auto* row = summary_at(static_cast<std::size_t>(item));
    if (row && !(row->flags & mail::MessageFlag::Seen)) return &unread_attr_;
    return nullptr;
}

}  // namespace tern::ui
