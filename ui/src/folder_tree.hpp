// The accounts and their folders, with unread counts, as a tree: the left side of the main window.
#pragma once

#include "mail_view_data.hpp"

#include <wx/treectrl.h>

#include <functional>
#include <optional>

namespace tern::ui {

struct FolderChoice {
    std::int64_t account_id = 0;
    std::int64_t folder_id = 0;  // 0: the account itself
};

class FolderTree : public wxTreeCtrl {
public:
    explicit FolderTree(wxWindow* parent);

    // Replaces the tree, keeping the selection (by folder id) when the folder still exists.
    // A first fill selects the first account's INBOX.
    void set_accounts(const std::vector<AccountEntry>& accounts);
    std::optional<FolderChoice> selection() const;
    const std::vector<AccountEntry>& accounts() const { return accounts_; }
    const FolderEntry* folder(std::int64_t folder_id) const;
    const AccountEntry* account(std::int64_t account_id) const;
    bool select_folder(std::int64_t folder_id);

    std::function<void(const FolderChoice&)> on_choice;

private:
    class ItemData;
    wxTreeItemId find(std::int64_t folder_id) const;

    std::vector<AccountEntry> accounts_;
};

// The name a person sees for a folder: its role's name (translated) or the last part of its path.
wxString folder_display_name(const FolderEntry& folder);

}  // namespace tern::ui
