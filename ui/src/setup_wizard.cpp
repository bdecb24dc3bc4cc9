#include "setup_wizard.hpp"

#include "setup_wizard_manual.hpp"

#include "devices_pane_sign_in.hpp"
#include "tern/auth/browser_sign_in.hpp"
#include "tern/auth/device_code_flow.hpp"
#include "tern/auth/system_browser.hpp"

#include <wx/activityindicator.h>
#include <wx/app.h>
#include <wx/button.h>
#include <wx/intl.h>
#include <wx/simplebook.h>
#include <wx/sizer.h>
#include <wx/stattext.h>
#include <wx/textctrl.h>
#include <wx/weakref.h>

namespace tern::ui {
namespace {

wxStaticText* headline(wxWindow* parent, const wxString& text) {
    auto* label = new wxStaticText(parent, wxID_ANY, text);
    label->SetFont(label->GetFont().Scaled(1.3f).Bold());
    return label;
}

wxStaticText* error_label(wxWindow* parent) {
    auto* label = new wxStaticText(parent, wxID_ANY, "");
    label->SetForegroundColour(wxColour(0xB0, 0x10, 0x10));
    label->SetName("error");
    return label;
}

// A page that waits: its headline, a spinner beside a line of what is happening, and Cancel
// (named `cancel_name`) that cancels the work.
struct BusyPage {
    wxPanel* page;
    wxActivityIndicator* spinner;
    wxStaticText* text;
    wxButton* cancel;
};

BusyPage busy_page(wxWindow* book, const wxString& title, const char* cancel_name, int gap) {
    BusyPage out{new wxPanel(book), nullptr, nullptr, nullptr};
    auto* column = new wxBoxSizer(wxVERTICAL);
    column->Add(headline(out.page, title), 0, wxBOTTOM, gap);
    auto* row = new wxBoxSizer(wxHORIZONTAL);
    out.spinner = new wxActivityIndicator(out.page, wxID_ANY);
    out.text = new wxStaticText(out.page, wxID_ANY, "");
    row->Add(out.spinner, 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, gap);
    row->Add(out.text, 1, wxALIGN_CENTER_VERTICAL);
    column->Add(row, 0, wxEXPAND);
    column->AddStretchSpacer();
    out.cancel = new wxButton(out.page, wxID_ANY, _("Cancel"));
    out.cancel->SetName(cancel_name);
    column->Add(out.cancel, 0, wxALIGN_RIGHT);
    out.page->SetSizer(column);
    return out;
}

wxString protocol_name(mail::MailProtocol protocol) {
    switch (protocol) {
        case mail::MailProtocol::Imap: return "IMAP";
        case mail::MailProtocol::Pop3: return "POP3";
        case mail::MailProtocol::Smtp: return "SMTP";
    }
    return {};
}

wxString security_name(mail::TlsMode tls) {
    switch (tls) {
        case mail::TlsMode::Ssl: return _("SSL/TLS");
        case mail::TlsMode::StartTls: return _("STARTTLS");
        case mail::TlsMode::None: return _("no encryption");
    }
    return {};
}

}  // namespace

SetupWizard::SetupWizard(wxWindow* parent, MailService& service)
    : wxDialog(parent, wxID_ANY, _("Add a mail account"), wxDefaultPosition, wxDefaultSize,
               wxDEFAULT_DIALOG_STYLE | wxRESIZE_BORDER),
      service_(service) {
    SetName("setup-wizard");
    book_ = new wxSimplebook(this);
    const int gap = FromDIP(10);

    // 1. The address.
    auto* email_page = new wxPanel(book_);
    auto* es = new wxBoxSizer(wxVERTICAL);
    es->Add(headline(email_page, _("Add a mail account")), 0, wxBOTTOM, gap);
    es->Add(new wxStaticText(email_page, wxID_ANY,
                             _("Outlook.com, Microsoft 365 and Exchange Online sign in with Microsoft's own page; "
                               "other providers with a password.")),
            0, wxBOTTOM, gap);
    es->Add(new wxStaticText(email_page, wxID_ANY, _("Your email address:")), 0, wxBOTTOM, FromDIP(4));
    email_ = new wxTextCtrl(email_page, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, wxTE_PROCESS_ENTER);
    email_->SetName("email");
    es->Add(email_, 0, wxEXPAND | wxBOTTOM, gap);
    email_error_ = error_label(email_page);
    es->Add(email_error_, 0, wxEXPAND | wxBOTTOM, gap);
    es->AddStretchSpacer();
    auto* eb = new wxBoxSizer(wxHORIZONTAL);
    auto* by_hand = new wxButton(email_page, wxID_ANY, _("Enter servers by hand..."));
    by_hand->SetName("by-hand");
    eb->Add(by_hand);
    auto* close = new wxButton(email_page, wxID_CANCEL, _("Cancel"));
    auto* next = new wxButton(email_page, wxID_FORWARD, _("Continue"));
    next->SetName("continue");
    eb->AddStretchSpacer();
    eb->Add(close, 0, wxRIGHT, FromDIP(6));
    eb->Add(next);
    es->Add(eb, 0, wxEXPAND);
    email_page->SetSizer(es);
    next->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { look_up(email_->GetValue()); });
    email_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) { look_up(email_->GetValue()); });
    close->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { Close(); });
    by_hand->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) {
        manual_->suggest_for(email_->GetValue().Strip(wxString::both).utf8_string());
        manual_error_->SetLabel("");
        show_step(Step::Manual);
    });

    // 2. Looking for the servers.
    const auto searching = busy_page(book_, _("Looking for your mail servers"), "cancel-search", gap);
    auto* search_page = searching.page;
    spinner_ = searching.spinner;
    search_text_ = searching.text;
    searching.cancel->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { cancel_work(); });

    // 3. How to sign in.
    auto* sign_page = new wxPanel(book_);
    auto* gs = new wxBoxSizer(wxVERTICAL);
    gs->Add(headline(sign_page, _("Sign in")), 0, wxBOTTOM, gap);
    plan_text_ = new wxStaticText(sign_page, wxID_ANY, "");
    plan_text_->SetName("servers");
    gs->Add(plan_text_, 0, wxEXPAND | wxBOTTOM, gap);
    oauth_choices_ = new wxPanel(sign_page);
    auto* os = new wxBoxSizer(wxVERTICAL);
    auto* browser = new wxButton(oauth_choices_, wxID_ANY, _("Sign in with Microsoft in your browser"));
    browser->SetName("sign-in-browser");
    auto* code = new wxButton(oauth_choices_, wxID_ANY, _("Sign in with a code on another device"));
    code->SetName("sign-in-code");
    os->Add(browser, 0, wxEXPAND | wxBOTTOM, FromDIP(6));
    os->Add(code, 0, wxEXPAND);
    oauth_choices_->SetSizer(os);
    gs->Add(oauth_choices_, 0, wxEXPAND | wxBOTTOM, gap);
    password_choice_ = new wxPanel(sign_page);
    auto* ps = new wxBoxSizer(wxHORIZONTAL);
    ps->Add(new wxStaticText(password_choice_, wxID_ANY, _("Password:")), 0, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(6));
    password_ = new wxTextCtrl(password_choice_, wxID_ANY, "", wxDefaultPosition, wxDefaultSize,
                               wxTE_PASSWORD | wxTE_PROCESS_ENTER);
    password_->SetName("password");
    auto* use_password = new wxButton(password_choice_, wxID_ANY, _("Sign in"));
    use_password->SetName("sign-in-password");
    ps->Add(password_, 1, wxALIGN_CENTER_VERTICAL | wxRIGHT, FromDIP(6));
    ps->Add(use_password, 0, wxALIGN_CENTER_VERTICAL);
    password_choice_->SetSizer(ps);
    gs->Add(password_choice_, 0, wxEXPAND | wxBOTTOM, gap);
    sign_in_error_ = error_label(sign_page);
    gs->Add(sign_in_error_, 0, wxEXPAND | wxBOTTOM, gap);
    gs->AddStretchSpacer();
    auto* back = new wxButton(sign_page, wxID_BACKWARD, _("Back"));
    gs->Add(back, 0, wxALIGN_LEFT);
    sign_page->SetSizer(gs);
    browser->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { sign_in_with_browser(); });
    code->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { sign_in_with_code(); });
    use_password->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { sign_in_with_password(password_->GetValue()); });
    password_->Bind(wxEVT_TEXT_ENTER, [this](wxCommandEvent&) { sign_in_with_password(password_->GetValue()); });
    back->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { show_step(planned_from_); });

    // 4. Signing in (browser, or the password being tested).
    const auto working = busy_page(book_, _("Signing in"), "cancel-sign-in", gap);
    auto* work_page = working.page;
    work_spinner_ = working.spinner;
    work_text_ = working.text;
    working.cancel->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { cancel_work(); });

    // 5. A code for another device.
    code_panel_ = new SignInPanel(book_);
    code_panel_->on_cancel([this] { cancel_work(); });

    // 6. Done.
    auto* done_page = new wxPanel(book_);
    auto* ds = new wxBoxSizer(wxVERTICAL);
    ds->Add(headline(done_page, _("Your account is ready")), 0, wxBOTTOM, gap);
    done_text_ = new wxStaticText(done_page, wxID_ANY, "");
    ds->Add(done_text_, 0, wxEXPAND);
    ds->AddStretchSpacer();
    auto* finish = new wxButton(done_page, wxID_OK, _("Finish"));
    finish->SetName("finish");
    ds->Add(finish, 0, wxALIGN_RIGHT);
    done_page->SetSizer(ds);
    finish->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { Close(); });

    // 7. The servers by hand.
    auto* manual_page = new wxPanel(book_);
    auto* ms = new wxBoxSizer(wxVERTICAL);
    ms->Add(headline(manual_page, _("Your mail servers")), 0, wxBOTTOM, gap);
    ms->Add(new wxStaticText(manual_page, wxID_ANY, _("Your provider's help pages list them. Tern tests them before it keeps anything.")),
            0, wxBOTTOM, gap);
    manual_ = new ManualServersPanel(manual_page);
    ms->Add(manual_, 0, wxEXPAND | wxBOTTOM, gap);
    manual_error_ = error_label(manual_page);
    ms->Add(manual_error_, 0, wxEXPAND | wxBOTTOM, gap);
    ms->AddStretchSpacer();
    auto* mb = new wxBoxSizer(wxHORIZONTAL);
    auto* manual_back = new wxButton(manual_page, wxID_ANY, _("Back"));
    auto* manual_next = new wxButton(manual_page, wxID_ANY, _("Continue"));
    manual_next->SetName("manual-continue");
    mb->Add(manual_back);
    mb->AddStretchSpacer();
    mb->Add(manual_next);
    ms->Add(mb, 0, wxEXPAND);
    manual_page->SetSizer(ms);
    manual_back->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { show_step(Step::Email); });
    manual_next->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { use_manual_servers(); });
    manual_->Bind(wxEVT_TEXT, [this](wxCommandEvent& event) {  // an error about a field goes once it is edited
        manual_error_->SetLabel("");
        event.Skip();
    });

    for (wxWindow* page : std::initializer_list<wxWindow*>{email_page, search_page, sign_page, work_page, code_panel_, done_page,
                                                           manual_page})
        book_->AddPage(page, "");
    auto* top = new wxBoxSizer(wxVERTICAL);
    top->Add(book_, 1, wxEXPAND | wxALL, FromDIP(16));
    SetSizer(top);
    SetSize(FromDIP(wxSize(620, 440)));
    Bind(wxEVT_CLOSE_WINDOW, [this](wxCloseEvent&) {
        cancel_work();
        Destroy();
    });
    show_step(Step::Email);
}

void SetupWizard::show_step(Step step) {
    step_ = step;
    book_->SetSelection(static_cast<size_t>(step));
    if (step == Step::Searching) spinner_->Start(); else spinner_->Stop();
    if (step == Step::Working) work_spinner_->Start(); else work_spinner_->Stop();
    if (step == Step::Email) email_->SetFocus();
    if (step == Step::SignIn && password_choice_->IsShown()) password_->SetFocus();
    Layout();
}

void SetupWizard::show_error(const Error& error, Step back_to) {
    error_text_ = wxString::FromUTF8(error.message());
    auto* label = back_to == Step::Email ? email_error_ : back_to == Step::Manual ? manual_error_ : sign_in_error_;
    label->SetLabel(error_text_);
    label->Wrap(GetClientSize().x - FromDIP(40));
    show_step(back_to);
}

void SetupWizard::cancel_work() {
    if (running_) running_->cancel();
}

void SetupWizard::look_up(const wxString& email) {
    accounts::AccountRequest request;
    request.email = email.Strip(wxString::both).utf8_string();
    search_text_->SetLabel(wxString::Format(_("Looking for the mail servers of %s..."), wxString::FromUTF8(request.email)));
    plan(std::move(request), Step::Email);
}

void SetupWizard::use_manual_servers() {
    wxString why;
    const auto servers = manual_->servers(why);
    if (!servers) {
        error_text_ = why;
        manual_error_->SetLabel(why);
        return;
    }
    accounts::AccountRequest request;
    request.email = email_->GetValue().Strip(wxString::both).utf8_string();
    request.method = accounts::SignInMethod::Password;
    if (servers->incoming.protocol == mail::MailProtocol::Pop3) request.pop3 = servers->incoming;
    else request.imap = servers->incoming;
    request.smtp = servers->smtp;
    request.username = servers->username;
    request.only_typed_servers = true;
    search_text_->SetLabel(_("Checking the servers..."));
    plan(std::move(request), Step::Manual);
}

void SetupWizard::plan(accounts::AccountRequest request, Step from) {
    email_error_->SetLabel("");
    sign_in_error_->SetLabel("");
    manual_error_->SetLabel("");
    error_text_.clear();
    planned_from_ = from;
    // Where autodetection's "nothing found" points: this wizard's own page for it.
    request.by_hand_advice = _("Press \"Enter servers by hand...\" and type the servers your provider gives.").utf8_string();
    show_step(Step::Searching);
    running_ = service_.setup().run<accounts::AccountPlan>(
        this,
        [request](const JobContext& job) {
            return accounts::plan_account(job.profile(), request, *job.cancel(),
                                          [&job](const std::string& line) { job.progress({line, 0, 0}); });
        },
        [this](accounts::AccountPlan planned) {
            plan_ = std::move(planned);
            show_plan();
        },
        [this, from](const Error& error) {
            if (error.category() == ErrorCategory::Cancelled)
                show_error(Error(ErrorCategory::Cancelled, _("Cancelled: nothing was added.").utf8_string()), from);
            else
                show_error(error, from);
        },
        [this](const JobProgress& p) { search_text_->SetLabel(wxString::FromUTF8(p.what)); });
}

void SetupWizard::show_plan() {
    const auto& account = plan_->account;
    wxString text = plan_->provider ? wxString::FromUTF8(plan_->provider->display_name) + "\n" : wxString();
    for (const auto& server : account.servers)
        text += wxString::Format("%s  %s:%d (%s)\n", protocol_name(server.protocol), wxString::FromUTF8(server.host),
                                 server.port, security_name(server.tls));
    plan_text_->SetLabel(text);
    const bool oauth = plan_->method != accounts::SignInMethod::Password;
    oauth_choices_->Show(oauth);
    password_choice_->Show(!oauth);
    sign_in_error_->SetLabel("");
    book_->GetPage(static_cast<size_t>(Step::SignIn))->Layout();
    show_step(Step::SignIn);
}

void SetupWizard::sign_in_with_password(const wxString& password) {
    if (!plan_ || password.empty()) return;
    const Secret secret(password.utf8_string());
    password_->Clear();
    work_text_->SetLabel(_("Checking your password with the servers..."));
    show_step(Step::Working);
    auto plan = *plan_;
    running_ = service_.setup().run<accounts::Account>(
        this,
        [plan, secret](const JobContext& job) {
            return accounts::add_password_account(job.profile(), plan, secret, job.cancel(), [&job](const mail::ServerEndpoint& s) {
                job.progress({s.host + ":" + std::to_string(s.port), 0, 0});
            });
        },
        [this](accounts::Account account) { finished(account); },
        [this](const Error& error) { show_error(error, Step::SignIn); },
        [this](const JobProgress& p) {
            work_text_->SetLabel(wxString::Format(_("Checking your password with %s..."), wxString::FromUTF8(p.what)));
        });
}

void SetupWizard::sign_in_with_browser() { run_oauth(false); }
void SetupWizard::sign_in_with_code() { run_oauth(true); }

void SetupWizard::run_oauth(bool device_code) {
    if (!plan_) return;
    auto plan = *plan_;
    plan.method = device_code ? accounts::SignInMethod::DeviceCode : accounts::SignInMethod::Browser;
    if (!device_code) {
        work_text_->SetLabel(_("Microsoft's sign-in page is open in your browser. Sign in there; Tern waits here."));
        show_step(Step::Working);
    } else {
        work_text_->SetLabel(_("Asking Microsoft for a code..."));
        show_step(Step::Working);
    }
    wxWeakRef<SetupWizard> weak(this);
    const wxString headline_text = wxString::Format(_("Sign in %s"), wxString::FromUTF8(plan.account.email));
    running_ = service_.setup().run<accounts::Account>(
        this,
        [plan, device_code, weak, headline_text](const JobContext& job) {
            return accounts::add_oauth_account(job.profile(), plan, [&](auth::TokenEndpoint& endpoint) {
                if (device_code) {
                    const auto authorization = endpoint.request_device_code(job.cancel().get());
                    if (auto* app = wxTheApp)
                        app->CallAfter([weak, headline_text, authorization] {
                            if (!weak) return;
                            weak->code_panel_->show_code(headline_text, authorization);
                            weak->show_step(Step::DeviceCode);
                        });
                    return auth::wait_for_device_grant(endpoint, authorization, *job.cancel());
                }
                auth::BrowserSignInOptions options;
                options.login_hint = plan.account.email;
                return auth::sign_in_with_browser(endpoint, auth::system_browser(), options, job.cancel().get());
            });
        },
        [this](accounts::Account account) {
            code_panel_->stop();
            finished(account);
        },
        [this](const Error& error) {
            code_panel_->stop();
            show_error(error, Step::SignIn);
        });
}

void SetupWizard::finished(const accounts::Account& account) {
    added_ = account;
    running_.reset();
    done_text_->SetLabel(wxString::Format(_("%s is signed in. Tern is getting its mail now."),
                                          wxString::FromUTF8(account.email)));
    show_step(Step::Done);
    if (on_added) on_added(account);
}

}  // namespace tern::ui
