#include "setup_wizard_manual.hpp"

#include <wx/choice.h>
#include <wx/intl.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>

namespace tern::ui {
namespace {

// The choices' order: SSL/TLS, STARTTLS, no encryption (TlsMode's order).
mail::TlsMode security_at(int selection) {
    return selection == 1 ? mail::TlsMode::StartTls : selection == 2 ? mail::TlsMode::None : mail::TlsMode::Ssl;
}

int usual_port(mail::MailProtocol protocol, mail::TlsMode tls) {
    switch (protocol) {
        case mail::MailProtocol::Imap: return tls == mail::TlsMode::Ssl ? 993 : 143;
        case mail::MailProtocol::Pop3: return tls == mail::TlsMode::Ssl ? 995 : 110;
        case mail::MailProtocol::Smtp: return tls == mail::TlsMode::Ssl ? 465 : 587;
    }
    return 0;
}

bool is_usual_port(long port) {
    for (int usual : {993, 143, 995, 110, 465, 587, 25})
        if (port == usual) return true;
    return false;
}

}  // namespace

ManualServersPanel::ManualServersPanel(wxWindow* parent) : wxPanel(parent, wxID_ANY) {
    SetName("manual-servers");
    auto* grid = new wxFlexGridSizer(4, FromDIP(6), FromDIP(8));
    grid->AddGrowableCol(1);
    grid->Add(new wxStaticText(this, wxID_ANY, ""));
    grid->Add(new wxStaticText(this, wxID_ANY, _("Server")));
    grid->Add(new wxStaticText(this, wxID_ANY, _("Port")));
    grid->Add(new wxStaticText(this, wxID_ANY, _("Security")));

    incoming_protocol_ = new wxChoice(this, wxID_ANY, wxDefaultPosition, wxDefaultSize, 0, nullptr, 0,
                                      wxDefaultValidator, "incoming-protocol");
    incoming_protocol_->Append("IMAP");
    incoming_protocol_->Append("POP3");
    incoming_protocol_->SetSelection(0);
    incoming_ = add_row(grid, incoming_protocol_, "incoming");
    smtp_ = add_row(grid, new wxStaticText(this, wxID_ANY, "SMTP"), "smtp");
    smtp_.security->SetSelection(1);
    default_port(incoming_, mail::MailProtocol::Imap);
    default_port(smtp_, mail::MailProtocol::Smtp);

    auto* user = new wxBoxSizer(wxHORIZONTAL);
    user->Add(new wxStaticText(this, wxID_ANY, _("User name (if not the address):")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT,
              FromDIP(6));
    username_ = new wxTextCtrl(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator, "username");
    user->Add(username_, 1);

    auto* column = new wxBoxSizer(wxVERTICAL);
    column->Add(grid, 0, wxEXPAND | wxBOTTOM, FromDIP(10));
    column->Add(user, 0, wxEXPAND);
    SetSizer(column);

    const auto incoming_protocol = [this] {
        return incoming_protocol_->GetSelection() == 1 ? mail::MailProtocol::Pop3 : mail::MailProtocol::Imap;
    };
    incoming_protocol_->Bind(wxEVT_CHOICE, [this, incoming_protocol](wxCommandEvent&) { default_port(incoming_, incoming_protocol()); });
    incoming_.security->Bind(wxEVT_CHOICE, [this, incoming_protocol](wxCommandEvent&) { default_port(incoming_, incoming_protocol()); });
    smtp_.security->Bind(wxEVT_CHOICE, [this](wxCommandEvent&) { default_port(smtp_, mail::MailProtocol::Smtp); });
}

ManualServersPanel::Row ManualServersPanel::add_row(wxFlexGridSizer* grid, wxWindow* first, const char* name) {
    wxWindow* parent = this;
    Row row;
    grid->Add(first, 0, wxALIGN_CENTER_VERTICAL);
    row.host = new wxTextCtrl(parent, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator,
                              std::string(name) + "-host");
    row.port = new wxTextCtrl(parent, wxID_ANY, "", wxDefaultPosition, FromDIP(wxSize(70, -1)), 0, wxDefaultValidator,
                              std::string(name) + "-port");
    row.security = new wxChoice(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize, 0, nullptr, 0, wxDefaultValidator,
                                std::string(name) + "-security");
    row.security->Append(_("SSL/TLS"));
    row.security->Append(_("STARTTLS"));
    row.security->Append(_("no encryption"));
    row.security->SetSelection(0);
    grid->Add(row.host, 1, wxEXPAND);
    grid->Add(row.port, 0);
    grid->Add(row.security, 0);
    return row;
}

// A port the person has not changed follows the protocol and security chosen.
void ManualServersPanel::default_port(const Row& row, mail::MailProtocol protocol) {
    long port = 0;
    if (!row.port->GetValue().empty() && (!row.port->GetValue().ToLong(&port) || !is_usual_port(port))) return;
    row.port->ChangeValue(wxString::Format("%d", usual_port(protocol, security_at(row.security->GetSelection()))));
}

void ManualServersPanel::suggest_for(const std::string& email) {
    const auto at = email.rfind('@');
    if (at == std::string::npos) return;
    const wxString domain = wxString::FromUTF8(email.substr(at + 1));
    if (incoming_.host->IsEmpty()) incoming_.host->ChangeValue("imap." + domain);
    if (smtp_.host->IsEmpty()) smtp_.host->ChangeValue("smtp." + domain);
}

std::optional<ManualServers> ManualServersPanel::servers(wxString& error) const {
    ManualServers out;
    const auto read = [&error](const Row& row, mail::MailProtocol protocol, const wxString& what,
                               mail::ServerEndpoint& endpoint) {
        const wxString host = row.host->GetValue().Strip(wxString::both);
        long port = 0;
        if (host.empty() || host.find_first_of(" \t/") != wxString::npos) {
            error = wxString::Format(_("Type the %s server's name, for example mail.example.org."), what);
            return false;
        }
        if (!row.port->GetValue().ToLong(&port) || port < 1 || port > 65535) {
            error = wxString::Format(_("The %s port must be a number from 1 to 65535."), what);
            return false;
        }
        endpoint.protocol = protocol;
        endpoint.host = host.utf8_string();
        endpoint.port = static_cast<int>(port);
        endpoint.tls = security_at(row.security->GetSelection());
        return true;
    };
    const auto incoming = incoming_protocol_->GetSelection() == 1 ? mail::MailProtocol::Pop3 : mail::MailProtocol::Imap;
    if (!read(incoming_, incoming, incoming == mail::MailProtocol::Pop3 ? "POP3" : "IMAP", out.incoming)) return std::nullopt;
    if (!read(smtp_, mail::MailProtocol::Smtp, "SMTP", out.smtp)) return std::nullopt;
    out.username = username_->GetValue().Strip(wxString::both).utf8_string();
    return out;
}

}  // namespace tern::ui
