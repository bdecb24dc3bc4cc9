// The devices pane (DESIGN §5, issue 9 point 6): the profile's printers and scanners with their
// token state (the four states of the devices' manuals, coloured and in words), adding one, the
// device-code sign-in of a relayed device (code, link, QR code, countdown, cancel), Delete token,
// "Test this mailbox" for a device that signs in itself, the admin's checklist, the error-code
// table and the relay's settings. Registry reads run on the store worker, everything that signs
// in or writes on the devices worker; the pane only shows.
#pragma once

#include "devices_pane_jobs.hpp"
#include "mail_service.hpp"

#include <wx/panel.h>
#include <wx/timer.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

class wxButton;
class wxListCtrl;
class wxListEvent;
class wxNotebook;
class wxStaticText;

namespace tern::ui {

class RelayPage;
class SignInPanel;

class DevicesPane : public wxPanel {
public:
    DevicesPane(wxWindow* parent, MailService& service);
    ~DevicesPane() override;  // cancels a sign-in or test in progress

    // Reads the registry again (also every 30 seconds while the pane is open: counters move).
    void reload();
    const std::vector<accounts::Device>& devices() const { return devices_; }
    bool signing_in() const { return sign_in_cancel_ != nullptr; }

private:
    void build_list(wxWindow* parent);
    wxWindow* build_details(wxWindow* parent);
    void show_devices(std::vector<accounts::Device> devices);
    void show_details();
    void update_buttons();
    const accounts::Device* selected() const;
    void select(const std::string& name);

    void add_device();
    void delete_token();
    void start_code(DeviceCodeSession::Purpose purpose);
    void wait_for_sign_in(std::shared_ptr<DeviceCodeSession> session);
    void sign_in_done(const DeviceCodeSession::Outcome& outcome, DeviceCodeSession::Purpose purpose);
    void sign_in_failed(const Error& error);
    void cancel_sign_in();

    // One line under the buttons: what happened last, an error in red with the core's words.
    void say(const wxString& text, bool error = false);
    void show_error(const Error& error);

    MailService& service_;
    std::vector<accounts::Device> devices_;
    std::optional<std::string> selected_name_;
    std::shared_ptr<CancelToken> sign_in_cancel_;
    wxString test_result_;  // the last mailbox test, in words, for the device it ran on
    std::string test_device_;
    wxTimer refresh_timer_;

    wxListCtrl* list_ = nullptr;
    wxButton* add_ = nullptr;
    wxButton* get_token_ = nullptr;
    wxButton* test_ = nullptr;
    wxButton* delete_token_ = nullptr;
    wxStaticText* status_ = nullptr;
    wxNotebook* notebook_ = nullptr;
    wxWindow* details_ = nullptr;
    wxStaticText* title_ = nullptr;
    wxStaticText* state_ = nullptr;
    wxStaticText* facts_ = nullptr;
    wxStaticText* last_error_ = nullptr;
    wxPanel* advice_ = nullptr;
    wxStaticText* result_ = nullptr;
    SignInPanel* sign_in_ = nullptr;
    RelayPage* relay_ = nullptr;
};

}  // namespace tern::ui
