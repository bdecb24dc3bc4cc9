#include "desktop_prompts.hpp"

#include <wx/app.h>
#include <wx/intl.h>
#include <wx/textdlg.h>
#include <wx/weakref.h>

#include <future>
#include <memory>

namespace tern::ui {

accounts::FallbackPrompts desktop_prompts(wxWindow* parent,
                                          std::function<void(const accounts::Account&, const accounts::PolicyDecision&)> tell) {
    accounts::FallbackPrompts prompts;
    wxWeakRef<wxWindow> weak(parent);
    prompts.ask_password = [weak](const accounts::Account& account,
                                  const accounts::PolicyDecision& decision) -> std::optional<Secret> {
        auto answer = std::make_shared<std::promise<std::optional<Secret>>>();
        auto future = answer->get_future();
        auto* app = wxTheApp;
        if (!app) return std::nullopt;
        app->CallAfter([weak, answer, email = account.email, message = decision.message] {
            if (!weak) {
                answer->set_value(std::nullopt);
                return;
            }
            const wxString text = wxString::Format(
                _("%s\n\nEnter the password of %s to keep reading and sending mail through Microsoft's "
                  "password servers. Tern keeps it in the system's credential store."),
                wxString::FromUTF8(message), wxString::FromUTF8(email));
            wxPasswordEntryDialog dialog(weak.get(), text, _("Password for the fallback servers"));
            if (dialog.ShowModal() == wxID_OK && !dialog.GetValue().empty())
                answer->set_value(Secret(dialog.GetValue().utf8_string()));
            else
                answer->set_value(std::nullopt);
        });
        return future.get();
    };
    prompts.tell = [weak, tell = std::move(tell)](const accounts::Account& account,
                                                  const accounts::PolicyDecision& decision) {
        if (auto* app = wxTheApp)
            app->CallAfter([weak, tell, account, decision] {
                if (weak && tell) tell(account, decision);
            });
    };
    return prompts;
}

}  // namespace tern::ui
