// The list under an address field of the composer: the known addresses that complete the one
// being typed (the text after the last comma). Down/Up choose, Enter or Tab take, Escape or leaving
// the field close it. Not GTK's entry completion (wxTextCompleter): that one only offers entries
// that start with the whole text, so "bui" would never find "Bob Builder <bob@...>", nor "bob@" an
// address that has a name.
#pragma once

#include <wx/popupwin.h>

#include <functional>
#include <vector>

class wxListBox;
class wxTextCtrl;
class wxKeyEvent;

namespace tern::ui {

class AddressPopup : public wxPopupWindow {
public:
    // `complete` gives, for the field's whole text, the whole texts it may become.
    using Complete = std::function<std::vector<wxString>(const wxString& text)>;
    AddressPopup(wxTextCtrl* field, Complete complete);

    // What the list shows (the address being completed), empty when it is closed.
    std::vector<wxString> offers() const;

private:
    void update();
    void take();
    void on_key(wxKeyEvent& event);

    wxTextCtrl* field_;
    Complete complete_;
    wxListBox* list_ = nullptr;
    std::vector<wxString> offers_;
    bool taking_ = false;
};

}  // namespace tern::ui
