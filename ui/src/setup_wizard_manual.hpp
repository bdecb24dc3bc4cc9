// The setup wizard's "Enter servers by hand" page: the incoming server (IMAP or POP3), the SMTP
// server, each with host, port and security, and the user name when it is not the address. For
// providers autodetection cannot find, and for a login name that differs from the address.
#pragma once

#include "tern/mail/server_endpoint.hpp"

#include <wx/panel.h>

#include <optional>
#include <string>

class wxChoice;
class wxFlexGridSizer;
class wxStaticText;
class wxTextCtrl;

namespace tern::ui {

struct ManualServers {
    mail::ServerEndpoint incoming;  // IMAP or POP3
    mail::ServerEndpoint smtp;
    std::string username;           // empty: the email address
};

class ManualServersPanel : public wxPanel {
public:
    explicit ManualServersPanel(wxWindow* parent);

    // The servers typed, or nullopt with `error` saying which field is wrong.
    std::optional<ManualServers> servers(wxString& error) const;
    // Suggested host names for a new address (imap.<domain>, smtp.<domain>) where nothing was typed.
    void suggest_for(const std::string& email);

private:
    struct Row {
        wxChoice* security = nullptr;
        wxTextCtrl* host = nullptr;
        wxTextCtrl* port = nullptr;
    };
    // A row of the grid: `first` (the protocol) in the first column, then host, port and security.
    Row add_row(wxFlexGridSizer* grid, wxWindow* first, const char* name);
    void default_port(const Row& row, mail::MailProtocol protocol);

    wxChoice* incoming_protocol_ = nullptr;
    Row incoming_, smtp_;
    wxTextCtrl* username_ = nullptr;
};

}  // namespace tern::ui
