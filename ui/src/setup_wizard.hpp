// The setup wizard (issue 9 point 4): email address -> the servers (the provider's, or looked for
// with a spinner and Cancel) -> sign-in: Microsoft's page in the system browser, a code for another
// device (code, link, QR code, countdown), or a password for other servers (the servers found, or
// typed by hand on their own page: setup_wizard_manual.hpp) -> the sign-in tested ->
// done. Every failure is shown on the page where it happened, in the core's words, with Back.
#pragma once

#include "mail_service.hpp"
#include "tern/accounts/account_setup.hpp"

#include <wx/dialog.h>
#include <wx/panel.h>

#include <functional>
#include <memory>
#include <optional>

class wxActivityIndicator;
class wxButton;
class wxSimplebook;
class wxStaticText;
class wxTextCtrl;

namespace tern::ui {

class ManualServersPanel;
class SignInPanel;

class SetupWizard : public wxDialog {
public:
    SetupWizard(wxWindow* parent, MailService& service);

    // In the order of the pages.
    enum class Step { Email, Searching, SignIn, Working, DeviceCode, Done, Manual };
    Step step() const { return step_; }
    const wxString& error_text() const { return error_text_; }
    std::optional<accounts::Account> added() const { return added_; }

    // What the buttons do (the tests press the buttons; these are what they call).
    void look_up(const wxString& email);
    void use_manual_servers();
    void sign_in_with_browser();
    void sign_in_with_code();
    void sign_in_with_password(const wxString& password);
    void cancel_work();

    // Called once the account is stored and signed in.
    std::function<void(const accounts::Account&)> on_added;

private:
    void show_step(Step step);
    void show_error(const Error& error, Step back_to);
    void show_plan();
    // Works the account out on the setup worker (autodetection may take seconds); errors go back to `from`.
    void plan(accounts::AccountRequest request, Step from);
    void run_oauth(bool device_code);
    void finished(const accounts::Account& account);

    MailService& service_;
    Step step_ = Step::Email;
    std::optional<accounts::AccountPlan> plan_;
    std::optional<accounts::Account> added_;
    std::shared_ptr<CancelToken> running_;
    wxString error_text_;
    Step planned_from_ = Step::Email;  // where the sign-in page's Back goes

    wxSimplebook* book_ = nullptr;
    wxTextCtrl* email_ = nullptr;
    wxStaticText* email_error_ = nullptr;
    wxActivityIndicator* spinner_ = nullptr;
    wxStaticText* search_text_ = nullptr;
    wxStaticText* plan_text_ = nullptr;
    wxPanel* oauth_choices_ = nullptr;
    wxPanel* password_choice_ = nullptr;
    wxTextCtrl* password_ = nullptr;
    wxStaticText* sign_in_error_ = nullptr;
    wxActivityIndicator* work_spinner_ = nullptr;
    wxStaticText* work_text_ = nullptr;
    SignInPanel* code_panel_ = nullptr;
    wxStaticText* done_text_ = nullptr;
    ManualServersPanel* manual_ = nullptr;
    wxStaticText* manual_error_ = nullptr;
};

}  // namespace tern::ui
