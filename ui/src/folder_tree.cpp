#include "folder_tree.hpp"

#include <wx/intl.h>

#include <algorithm>
#include <map>

namespace tern::ui {

class FolderTree::ItemData : public wxTreeItemData {
public:
    explicit ItemData(FolderChoice chosen) : choice(chosen) {}
    FolderChoice choice;
};

namespace {

int role_rank(const std::string& role) {
    static const char* order[] = {"inbox", "drafts", "sent", "archive", "junk", "trash"};
    for (int i = 0; i < 6; ++i)
        if (role == order[i]) return i;
    return 6;
}

wxString label_with_count(const wxString& name, std::int64_t unread) {
    return unread > 0 ? wxString::Format("%s (%lld)", name, static_cast<long long>(unread)) : name;
}

}  // namespace

wxString folder_display_name(const FolderEntry& folder) {
    if (folder.role == "inbox") return _("Inbox");
    if (folder.role == "sent") return _("Sent");
    if (folder.role == "drafts") return _("Drafts");
    if (folder.role == "trash") return _("Trash");
    if (folder.role == "junk") return _("Junk");
    if (folder.role == "archive") return _("Archive");
    std::string name = folder.path;
    if (!folder.separator.empty())
        if (const auto cut = name.rfind(folder.separator); cut != std::string::npos)
            name = name.substr(cut + folder.separator.size());
    return wxString::FromUTF8(name);
}

FolderTree::FolderTree(wxWindow* parent)
    : wxTreeCtrl(parent, wxID_ANY, wxDefaultPosition, wxSize(240, -1),
                 wxTR_DEFAULT_STYLE | wxTR_HIDE_ROOT | wxTR_SINGLE | wxTR_FULL_ROW_HIGHLIGHT) {
    SetName("folders");
    AddRoot("");
    Bind(wxEVT_TREE_SEL_CHANGED, [this](wxTreeEvent& event) {
        auto* data = event.GetItem().IsOk() ? static_cast<ItemData*>(GetItemData(event.GetItem())) : nullptr;
        if (data && on_choice) on_choice(data->choice);
    });
}

const FolderEntry* FolderTree::folder(std::int64_t folder_id) const {
    for (const auto& account : accounts_)
        for (const auto& f : account.folders)
            if (f.id == folder_id) return &f;
    return nullptr;
}

const AccountEntry* FolderTree::account(std::int64_t account_id) const {
    for (const auto& account : accounts_)
        if (account.account.id == account_id) return &account;
    return nullptr;
}

std::optional<FolderChoice> FolderTree::selection() const {
    const auto item = GetSelection();
    if (!item.IsOk()) return std::nullopt;
    auto* data = static_cast<ItemData*>(GetItemData(item));
    return data ? std::optional<FolderChoice>(data->choice) : std::nullopt;
}

wxTreeItemId FolderTree::find(std::int64_t folder_id) const {
    std::vector<wxTreeItemId> todo{GetRootItem()};
    while (!todo.empty()) {
        const auto item = todo.back();
        todo.pop_back();
        if (auto* data = static_cast<ItemData*>(GetItemData(item)); data && data->choice.folder_id == folder_id)
            return item;
        wxTreeItemIdValue cookie;
        for (auto child = GetFirstChild(item, cookie); child.IsOk(); child = GetNextChild(item, cookie))
            todo.push_back(child);
    }
    return {};
}

bool FolderTree::select_folder(std::int64_t folder_id) {
    const auto item = find(folder_id);
    if (!item.IsOk()) return false;
    SelectItem(item);
    return true;
}

void FolderTree::set_accounts(const std::vector<AccountEntry>& accounts) {
    const auto previous = selection();
    accounts_ = accounts;
    // Rebuilding must not look like the person choosing another folder.
    auto handler = std::move(on_choice);
    on_choice = nullptr;
    Freeze();
    DeleteChildren(GetRootItem());
    for (const auto& account : accounts_) {
        const auto account_item = AppendItem(GetRootItem(), wxString::FromUTF8(account.account.email), -1, -1,
                                             new ItemData({account.account.id, 0}));
        SetItemBold(account_item);
        // Folders under their parents (paths split at the separator), roles first.
        auto folders = account.folders;
        std::stable_sort(folders.begin(), folders.end(), [](const FolderEntry& a, const FolderEntry& b) {
            const int ra = role_rank(a.role), rb = role_rank(b.role);
            return ra != rb ? ra < rb : a.path < b.path;
        });
        std::map<std::string, wxTreeItemId> by_path;
        for (const auto& f : folders) {
            wxTreeItemId parent = account_item;
            if (!f.separator.empty() && f.role.empty())
                if (const auto cut = f.path.rfind(f.separator); cut != std::string::npos)
                    if (auto it = by_path.find(f.path.substr(0, cut)); it != by_path.end()) parent = it->second;
            const auto item = AppendItem(parent, label_with_count(folder_display_name(f), f.unread), -1, -1,
                                         new ItemData({account.account.id, f.id}));
            if (f.unread > 0) SetItemBold(item);
            by_path[f.path] = item;
        }
        Expand(account_item);
    }
    // Keep what was chosen; while nothing is (at first, or before the first sync brought the
    // folders), the first account's inbox.
    wxTreeItemId chosen;
    if (previous) chosen = find(previous->folder_id);
    if (!chosen.IsOk() && !previous) {
        for (const auto& account : accounts_) {
            for (const auto& f : account.folders)
                if (f.role == "inbox" && !chosen.IsOk()) chosen = find(f.id);
            if (chosen.IsOk()) break;
        }
    }
    if (chosen.IsOk()) SelectItem(chosen);
    Thaw();
    on_choice = std::move(handler);
    const auto now = selection();
    const bool changed = now.has_value() != previous.has_value() ||
                         (now && (now->folder_id != previous->folder_id || now->account_id != previous->account_id));
    if (changed && now && on_choice) on_choice(*now);
}

}  // namespace tern::ui
