#include "devices_pane.hpp"

#include "devices_pane_add_dialog.hpp"
#include "devices_pane_guidance.hpp"
#include "devices_pane_relay.hpp"
#include "devices_pane_sign_in.hpp"
#include "devices_pane_text.hpp"

#include "tern/accounts/device_guidance.hpp"
#include "tern/mail/server_endpoint.hpp"

#include <spdlog/spdlog.h>
#include <wx/button.h>
#include <wx/dcmemory.h>
#include <wx/imaglist.h>
#include <wx/intl.h>
#include <wx/listctrl.h>
#include <wx/notebook.h>
#include <wx/scrolwin.h>
#include <wx/sizer.h>
#include <wx/stattext.h>

namespace tern::ui {
namespace {

enum Column { ColName, ColModel, ColKind, ColMailbox, ColToken, ColRefresh, ColError, ColRelayed };

const wxColour error_colour(0xC6, 0x28, 0x28);

// A dot in the state's colour for the Token column, in the order of accounts::TokenState.
wxImageList* state_dots() {
    auto* images = new wxImageList(14, 14, true);
    for (const auto state : {accounts::TokenState::NotAcquired, accounts::TokenState::WaitingForAuthorization,
                             accounts::TokenState::Acquired, accounts::TokenState::Invalid}) {
        wxBitmap dot(14, 14);
        {
            wxMemoryDC dc(dot);
            dc.SetBackground(*wxWHITE_BRUSH);
            dc.Clear();
            dc.SetPen(wxPen(token_state_colour(state)));
            dc.SetBrush(wxBrush(token_state_colour(state)));
            dc.DrawEllipse(1, 1, 12, 12);
        }
        wxMask* mask = new wxMask(dot, *wxWHITE);
        dot.SetMask(mask);
        images->Add(dot);
    }
    return images;
}

wxString server_words(const mail::ServerEndpoint& server) {
    return wxString::Format("%s:%d", wxString::FromUTF8(server.host), server.port);
}

wxString test_words(const accounts::Device& device, const accounts::MailboxTestResult& result) {
    if (result.ok)
        return wxString::Format(_("Test passed: %s signed in to %s with XOAUTH2, so SMTP AUTH works for this mailbox. "
                                  "The server answered: %s"),
                                wxString::FromUTF8(device.mailbox), server_words(result.server),
                                wxString::FromUTF8(result.server_reply));
    const wxString why = result.error ? wxString::FromUTF8(result.error->message()) : wxString();
    return wxString::Format(_("Test failed: %s could not send through %s. %s"), wxString::FromUTF8(device.mailbox),
                            server_words(result.server), why);
}

}  // namespace

DevicesPane::DevicesPane(wxWindow* parent, MailService& service)
    : wxPanel(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxTAB_TRAVERSAL, "devices-pane"),
      service_(service),
      refresh_timer_(this) {
    auto* intro = new wxStaticText(this, wxID_ANY,
                                   _("Printers and scanners that send mail through Exchange Online, and the state of "
                                     "their sign-in."));
    build_list(this);
    status_ = new wxStaticText(this, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, "devices-status");
    notebook_ = new wxNotebook(this, wxID_ANY, wxDefaultPosition, wxDefaultSize, 0, "devices-notebook");
    notebook_->AddPage(build_details(notebook_), _("Device"));
    relay_ = new RelayPage(notebook_, service_);
    notebook_->AddPage(relay_, _("Relay"));
    notebook_->AddPage(new ChecklistPage(notebook_), _("Admin checklist"));
    notebook_->AddPage(new TroubleshootingPage(notebook_), _("Troubleshooting"));

    auto* buttons = new wxBoxSizer(wxHORIZONTAL);
    for (auto* button : {add_, get_token_, test_, delete_token_}) buttons->Add(button, 0, wxRIGHT, 8);

    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(intro, 0, wxALL, 12);
    sizer->Add(list_, 1, wxEXPAND | wxLEFT | wxRIGHT, 12);
    sizer->Add(buttons, 0, wxALL, 12);
    sizer->Add(status_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    sizer->Add(notebook_, 3, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    SetSizer(sizer);

    add_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { add_device(); });
    get_token_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { start_code(DeviceCodeSession::Purpose::GetToken); });
    test_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { start_code(DeviceCodeSession::Purpose::TestMailbox); });
    delete_token_->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { delete_token(); });
    list_->Bind(wxEVT_LIST_ITEM_SELECTED, [this](wxListEvent& event) {
        if (event.GetIndex() >= 0 && static_cast<std::size_t>(event.GetIndex()) < devices_.size())
            selected_name_ = devices_[static_cast<std::size_t>(event.GetIndex())].name;
        show_details();
        update_buttons();
    });
    sign_in_->on_cancel([this] { cancel_sign_in(); });
    Bind(wxEVT_TIMER, [this](wxTimerEvent&) {
        if (IsShownOnScreen()) reload();
    });
    refresh_timer_.Start(30'000);

    update_buttons();
    show_details();
    relay_->load();
    reload();
}

DevicesPane::~DevicesPane() { cancel_sign_in(); }

void DevicesPane::build_list(wxWindow* parent) {
    list_ = new wxListCtrl(parent, wxID_ANY, wxDefaultPosition, wxSize(-1, 130), wxLC_REPORT | wxLC_SINGLE_SEL,
                           wxDefaultValidator, "devices-list");
    list_->AssignImageList(state_dots(), wxIMAGE_LIST_SMALL);
    list_->AppendColumn(_("Name"), wxLIST_FORMAT_LEFT, 150);
    list_->AppendColumn(_("Model"), wxLIST_FORMAT_LEFT, 130);
    list_->AppendColumn(_("Kind"), wxLIST_FORMAT_LEFT, 110);
    list_->AppendColumn(_("Mailbox"), wxLIST_FORMAT_LEFT, 165);
    list_->AppendColumn(_("Token"), wxLIST_FORMAT_LEFT, 205);
    list_->AppendColumn(_("Last refresh"), wxLIST_FORMAT_LEFT, 130);
    list_->AppendColumn(_("Last error"), wxLIST_FORMAT_LEFT, 200);
    list_->AppendColumn(_("Spooled / delivered / failed"), wxLIST_FORMAT_LEFT, 170);
    // Columns whose words are known ahead wide enough for them in every language (Greek's and
    // Arabic's kinds and headers are longer than English's).
    const auto fit = [this](int column, std::initializer_list<wxString> texts) {
        int width = list_->GetColumnWidth(column);
        for (const auto& text : texts) width = std::max(width, list_->GetTextExtent(text).x + FromDIP(24));
        list_->SetColumnWidth(column, width);
    };
    fit(2, {_("Kind"), device_kind_words(accounts::DeviceKind::Self), device_kind_words(accounts::DeviceKind::Relayed)});
    fit(5, {_("Last refresh")});
    fit(7, {_("Spooled / delivered / failed")});
    const auto button = [parent](const wxString& label, const char* name) {
        return new wxButton(parent, wxID_ANY, label, wxDefaultPosition, wxDefaultSize, 0, wxDefaultValidator, name);
    };
    add_ = button(_("Add device..."), "add-device");
    get_token_ = button(_("Get token"), "get-token");
    test_ = button(_("Test this mailbox"), "test-mailbox");
    delete_token_ = button(_("Delete token"), "delete-token");
}

wxWindow* DevicesPane::build_details(wxWindow* parent) {
    auto* page = new wxScrolledWindow(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize, wxVSCROLL, "device-details");
    details_ = page;
    title_ = new wxStaticText(page, wxID_ANY, "");
    title_->SetFont(title_->GetFont().Bold().Scaled(1.2f));
    state_ = new wxStaticText(page, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, "device-token-state");
    state_->SetFont(state_->GetFont().Bold());
    facts_ = new wxStaticText(page, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, "device-facts");
    last_error_ = new wxStaticText(page, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, "device-last-error");
    last_error_->SetForegroundColour(error_colour);
    advice_ = new wxPanel(page, wxID_ANY, wxDefaultPosition, wxDefaultSize, 0, "device-advice");
    advice_->SetSizer(new wxBoxSizer(wxVERTICAL));
    result_ = new wxStaticText(page, wxID_ANY, "", wxDefaultPosition, wxDefaultSize, 0, "device-test-result");
    sign_in_ = new SignInPanel(page);
    sign_in_->Hide();

    auto* sizer = new wxBoxSizer(wxVERTICAL);
    sizer->Add(title_, 0, wxALL, 12);
    sizer->Add(state_, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);
    sizer->Add(sign_in_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    sizer->Add(result_, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);
    sizer->Add(facts_, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);
    sizer->Add(last_error_, 0, wxLEFT | wxRIGHT | wxBOTTOM, 12);
    sizer->Add(advice_, 0, wxEXPAND | wxLEFT | wxRIGHT | wxBOTTOM, 12);
    page->SetSizer(sizer);
    page->SetScrollRate(0, 12);
    return page;
}

void DevicesPane::reload() {
    service_.store().run<std::vector<accounts::Device>>(
        this, [](const JobContext& job) { return load_devices(job.profile()); },
        [this](std::vector<accounts::Device> devices) { show_devices(std::move(devices)); },
        [this](const Error& error) { show_error(error); });
}

void DevicesPane::show_devices(std::vector<accounts::Device> devices) {
    devices_ = std::move(devices);
    const auto keep = selected_name_;
    list_->DeleteAllItems();
    long select_row = devices_.empty() ? -1 : 0;
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        const auto& d = devices_[i];
        const long row = list_->InsertItem(static_cast<long>(i), wxString::FromUTF8(d.name));
        list_->SetItem(row, ColModel, wxString::FromUTF8(d.model));
        list_->SetItem(row, ColKind, device_kind_words(d.kind));
        list_->SetItem(row, ColMailbox, wxString::FromUTF8(d.mailbox));
        wxString token = token_state_words(d.token_state);
        if (d.token_state == accounts::TokenState::Invalid && d.token_reason)
            token = wxString::Format(_("%s: %s"), token, wxString::FromUTF8(*d.token_reason));
        list_->SetItem(row, ColToken, token, static_cast<int>(d.token_state));
        list_->SetItem(row, ColRefresh, when_words(d.last_refresh));
        list_->SetItem(row, ColError, d.last_error ? wxString::FromUTF8(*d.last_error) : wxString());
        list_->SetItem(row, ColRelayed, d.kind == accounts::DeviceKind::Relayed
                                            ? wxString::Format("%lld / %lld / %lld", static_cast<long long>(d.spooled),
                                                               static_cast<long long>(d.delivered),
                                                               static_cast<long long>(d.failed))
                                            : wxString::FromUTF8("\xe2\x80\x94"));
        if (keep && *keep == d.name) select_row = row;
    }
    if (select_row >= 0) {
        selected_name_ = devices_[static_cast<std::size_t>(select_row)].name;
        list_->SetItemState(select_row, wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED,
                            wxLIST_STATE_SELECTED | wxLIST_STATE_FOCUSED);
    }
    if (devices_.empty())
        say(_("No devices yet. Add a printer or scanner with \"Add device...\"."));
    show_details();
    update_buttons();
}

const accounts::Device* DevicesPane::selected() const {
    const long row = list_->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
    if (row < 0 || static_cast<std::size_t>(row) >= devices_.size()) return nullptr;
    return &devices_[static_cast<std::size_t>(row)];
}

void DevicesPane::show_details() {
    const auto* d = selected();
    relay_->show_device(d);
    if (!d) {
        title_->SetLabel(devices_.empty() ? _("No device selected") : _("Select a device in the list"));
        state_->SetLabel("");
        facts_->SetLabel("");
        last_error_->SetLabel("");
        result_->SetLabel("");
        advice_->GetSizer()->Clear(true);
        details_->Layout();
        return;
    }
    title_->SetLabel(d->model.empty() ? wxString::FromUTF8(d->name)
                                      : wxString::Format(_("%s (%s)"), wxString::FromUTF8(d->name),
                                                         wxString::FromUTF8(d->model)));
    wxString state = wxString::Format(_("Token: %s"), token_state_words(d->token_state));
    if (d->token_state == accounts::TokenState::Invalid && d->token_reason)
        state = wxString::Format(_("Token: %s. %s"), token_state_words(d->token_state),
                                 wxString::FromUTF8(*d->token_reason));
    state_->SetLabel(state);
    state_->SetForegroundColour(token_state_colour(d->token_state));
    state_->Wrap(640);

    wxString facts = wxString::Format(_("Mailbox: %s"), wxString::FromUTF8(d->mailbox)) + "\n" +
                     wxString::Format(_("Kind: %s"), device_kind_words(d->kind)) + "\n" +
                     wxString::Format(_("Network address: %s"),
                                      d->address.empty() ? wxString(_("not given")) : wxString::FromUTF8(d->address)) +
                     "\n" + wxString::Format(_("Last refresh: %s"), when_words(d->last_refresh));
    if (d->kind == accounts::DeviceKind::Relayed)
        facts += "\n" + wxString::Format(_("Relayed mail: %lld spooled, %lld delivered, %lld failed"),
                                         static_cast<long long>(d->spooled), static_cast<long long>(d->delivered),
                                         static_cast<long long>(d->failed));
    facts_->SetLabel(facts);

    advice_->GetSizer()->Clear(true);
    if (d->last_error) {
        last_error_->SetLabel(wxString::Format(_("Last error (%s): %s"), when_words(d->last_error_at),
                                               wxString::FromUTF8(*d->last_error)));
        last_error_->Wrap(640);
        if (const auto advice = accounts::advice_for(*d->last_error))
            advice_->GetSizer()->Add(advice_sizer(advice_, *advice, 620), 0, wxEXPAND);
    } else {
        last_error_->SetLabel("");
    }
    result_->SetLabel(test_device_ == d->name ? test_result_ : wxString());
    result_->Wrap(640);
    advice_->Layout();
    details_->Layout();
    details_->FitInside();
}

void DevicesPane::update_buttons() {
    const auto* d = selected();
    const bool busy = signing_in();
    get_token_->Enable(d && d->kind == accounts::DeviceKind::Relayed && !busy);
    test_->Enable(d && d->kind == accounts::DeviceKind::Self && !busy);
    delete_token_->Enable(d && d->token_state != accounts::TokenState::NotAcquired && !busy);
}

void DevicesPane::add_device() {
    AddDeviceDialog dialog(this);
    if (dialog.ShowModal() != wxID_OK) return;
    const auto device = dialog.device();
    say(wxString::Format(_("Adding %s..."), wxString::FromUTF8(device.name)));
    // The relay password is not carried back: the Relay page reads it from the keyring on request.
    service_.devices().run<accounts::Device>(
        this, [device](const JobContext& job) { return ui::add_device(job.profile(), device).device; },
        [this](accounts::Device added) {
            selected_name_ = added.name;
            const wxString name = wxString::FromUTF8(added.name);
            if (added.kind == accounts::DeviceKind::Relayed)
                say(wxString::Format(_("Added %s. Next: \"Get token\" signs its mailbox in; its relay user name and "
                                       "password are on the Relay page."),
                                     name));
            else
                say(wxString::Format(_("Added %s. Next: \"Test this mailbox\" checks that its mailbox can send."),
                                     name));
            reload();
        },
        [this](const Error& error) { show_error(error); });
}

void DevicesPane::delete_token() {
    const auto* d = selected();
    if (!d) return;
    const std::string name = d->name;
    service_.devices().run<accounts::Device>(
        this, [name](const JobContext& job) { return ui::delete_token(job.profile(), name); },
        [this](accounts::Device device) {
            say(wxString::Format(_("%s: token deleted (%s)."), wxString::FromUTF8(device.name),
                                 token_state_words(device.token_state)));
            reload();
        },
        [this](const Error& error) { show_error(error); });
}

void DevicesPane::start_code(DeviceCodeSession::Purpose purpose) {
    const auto* d = selected();
    if (!d || signing_in()) return;
    const std::string name = d->name;
    test_result_.clear();
    say(_("Asking Microsoft for a sign-in code..."));
    sign_in_cancel_ = service_.devices().run<std::shared_ptr<DeviceCodeSession>>(
        this,
        [name, purpose](const JobContext& job) {
            return DeviceCodeSession::start(job.profile(), name, purpose, *job.cancel());
        },
        [this](std::shared_ptr<DeviceCodeSession> session) {
            const auto& device = session->device();
            const wxString headline =
                session->purpose() == DeviceCodeSession::Purpose::GetToken
                    ? wxString::Format(_("Sign in %s as %s"), wxString::FromUTF8(device.name),
                                       wxString::FromUTF8(device.mailbox))
                    : wxString::Format(_("Test the mailbox of %s: sign in as %s"), wxString::FromUTF8(device.name),
                                       wxString::FromUTF8(device.mailbox));
            sign_in_->show_code(headline, session->code());
            sign_in_->Show();
            notebook_->SetSelection(0);
            details_->Layout();
            details_->FitInside();
            say(_("Waiting for authorization at the link."));
            wait_for_sign_in(std::move(session));
            reload();  // the registry now says Waiting for authorization
        },
        [this](const Error& error) { sign_in_failed(error); });
    update_buttons();
}

void DevicesPane::wait_for_sign_in(std::shared_ptr<DeviceCodeSession> session) {
    const auto purpose = session->purpose();
    sign_in_cancel_ = service_.devices().run<DeviceCodeSession::Outcome>(
        this, [session](const JobContext& job) { return session->finish(*job.cancel(), {}); },
        [this, purpose](DeviceCodeSession::Outcome outcome) { sign_in_done(outcome, purpose); },
        [this](const Error& error) { sign_in_failed(error); });
}

void DevicesPane::sign_in_done(const DeviceCodeSession::Outcome& outcome, DeviceCodeSession::Purpose purpose) {
    sign_in_cancel_.reset();
    sign_in_->stop();
    sign_in_->Hide();
    const wxString name = wxString::FromUTF8(outcome.device.name);
    if (purpose == DeviceCodeSession::Purpose::GetToken) {
        say(wxString::Format(_("%s is signed in: its token is %s."), name,
                             token_state_words(outcome.device.token_state)));
    } else if (outcome.test) {
        test_device_ = outcome.device.name;
        test_result_ = test_words(outcome.device, *outcome.test);
        say(outcome.test->ok ? wxString::Format(_("%s: the mailbox test passed."), name)
                             : wxString::Format(_("%s: the mailbox test failed; see below for why and what to do."),
                                                name),
            !outcome.test->ok);
    }
    selected_name_ = outcome.device.name;
    update_buttons();
    reload();
}

void DevicesPane::sign_in_failed(const Error& error) {
    sign_in_cancel_.reset();
    sign_in_->stop();
    sign_in_->Hide();
    details_->Layout();
    show_error(error);
    update_buttons();
    reload();  // the core recorded the state (Not acquired or Invalid) and the reason
}

void DevicesPane::cancel_sign_in() {
    if (sign_in_cancel_) sign_in_cancel_->cancel();
}

void DevicesPane::say(const wxString& text, bool error) {
    status_->SetForegroundColour(error ? error_colour : GetForegroundColour());
    status_->SetLabel(text);
    status_->Wrap(std::max(300, GetClientSize().GetWidth() - 24));
    Layout();
}

void DevicesPane::show_error(const Error& error) {
    spdlog::warn("devices pane: {}", error.log_line());
    say(wxString::FromUTF8(error.message()), true);
}

}  // namespace tern::ui
