#include "devices_pane_jobs.hpp"

#include "tern/core/error.hpp"
#include "tern/mail/relay/relay_certificate.hpp"
#include "tern/mail/relay/relay_spool.hpp"

#include <unistd.h>

namespace tern::ui {
namespace {

accounts::Device find_device(accounts::DeviceRepository& devices, const std::string& name) {
    auto found = devices.find(name);
    if (!found) throw Error(ErrorCategory::NotFound, "There is no device \"" + name + "\" in this profile any more.");
    return *found;
}

const accounts::ProviderCatalog& catalog_of(accounts::MailProfile& profile) {
    if (!profile.catalog) throw *profile.catalog_error;
    return *profile.catalog;
}

std::string this_host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "tern-relay";
    return name;
}

}  // namespace

std::vector<accounts::Device> load_devices(accounts::MailProfile& profile) {
    return accounts::DeviceRepository(profile.profile.db()).list();
}

accounts::RegisteredDevice add_device(accounts::MailProfile& profile, accounts::Device device) {
    accounts::DeviceRepository devices(profile.profile.db());
    return accounts::register_device(devices, *profile.secrets, profile.profile.id(), std::move(device));
}

accounts::Device delete_token(accounts::MailProfile& profile, const std::string& device_name) {
    accounts::DeviceRepository devices(profile.profile.db());
    const auto device = find_device(devices, device_name);
    accounts::delete_device_token(devices, *profile.secrets, profile.profile.id(), device);
    return find_device(devices, device_name);
}

RelaySettings load_relay_settings(accounts::MailProfile& profile) {
    RelaySettings out;
    out.listen = accounts::relay_listen_address(profile.profile.db());
    const auto certificate = mail::relay::load_or_create_relay_certificate(
        mail::relay::relay_folder(profile.profile.dir()), {this_host_name(), out.listen.host});
    out.certificate_sha256 = certificate.sha256_fingerprint;
    return out;
}

RelaySettings save_relay_settings(accounts::MailProfile& profile, const accounts::RelayListenAddress& listen) {
    accounts::save_relay_listen_address(profile.profile.db(), listen);
    return load_relay_settings(profile);
}

Secret relay_password(accounts::MailProfile& profile, const std::string& device_name) {
    accounts::DeviceRepository devices(profile.profile.db());
    return accounts::device_relay_password(*profile.secrets, profile.profile.id(), find_device(devices, device_name));
}

DeviceCodeSession::DeviceCodeSession(accounts::MailProfile& profile, const std::string& device_name, Purpose purpose)
    : profile_(profile),
      devices_(profile.profile.db()),
      http_(auth::make_curl_http_client(auth::http_options_from_environment())),
      purpose_(purpose),
      device_(find_device(devices_, device_name)) {
    const accounts::DeviceServices services{devices_, *profile_.secrets, profile_.profile.id(), catalog_of(profile_),
                                            *http_, {}};
    if (purpose_ == Purpose::GetToken)
        sign_in_ = std::make_unique<accounts::DeviceSignIn>(services, device_);
    else
        test_ = std::make_unique<accounts::DeviceMailboxTest>(services, device_);
}

DeviceCodeSession::~DeviceCodeSession() = default;

std::shared_ptr<DeviceCodeSession> DeviceCodeSession::start(accounts::MailProfile& profile,
                                                            const std::string& device_name, Purpose purpose,
                                                            const CancelToken& cancel) {
    std::shared_ptr<DeviceCodeSession> session(new DeviceCodeSession(profile, device_name, purpose));
    session->code_ = purpose == Purpose::GetToken ? &session->sign_in_->get_token(&cancel)
                                                  : &session->test_->get_code(&cancel);
    session->device_ = find_device(session->devices_, device_name);
    return session;
}

DeviceCodeSession::Outcome DeviceCodeSession::finish(
    const CancelToken& cancel, const std::function<void(const auth::DeviceFlowProgress&)>& progress) {
    Outcome out;
    if (sign_in_) {
        out.device = sign_in_->wait(cancel, progress);
    } else {
        out.test = test_->run(cancel, progress);
        out.device = find_device(devices_, device_.name);
    }
    return out;
}

}  // namespace tern::ui
