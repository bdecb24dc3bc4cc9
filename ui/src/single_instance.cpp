#include "single_instance.hpp"

#include <spdlog/spdlog.h>
#include <wx/ipc.h>
#include <wx/snglinst.h>

namespace tern::ui {
namespace {

constexpr const char* topic = "tern";
constexpr const char* mailto_prefix = "mailto ";
constexpr const char* raise_command = "raise";

// Unix domain socket paths hold 107 bytes; a profile folder deeper than that has no hand-over.
constexpr std::size_t max_socket_path = 100;

class RequestConnection : public wxConnection {
public:
    explicit RequestConnection(std::function<void(const InstanceRequest&)> on_request)
        : on_request_(std::move(on_request)) {}

    bool OnExec(const wxString& exec_topic, const wxString& data) override {
        if (exec_topic != topic) return false;
        InstanceRequest request;
        if (data.StartsWith(mailto_prefix, &request.mailto)) {
            if (!request.mailto.Lower().StartsWith("mailto:")) return false;
        } else if (data != raise_command) {
            return false;
        }
        on_request_(request);
        return true;
    }

private:
    std::function<void(const InstanceRequest&)> on_request_;
};

class RequestServer : public wxServer {
public:
    explicit RequestServer(std::function<void(const InstanceRequest&)> on_request) : on_request_(std::move(on_request)) {}
    wxConnectionBase* OnAcceptConnection(const wxString& requested) override {
        return requested == topic ? new RequestConnection(on_request_) : nullptr;
    }

private:
    std::function<void(const InstanceRequest&)> on_request_;
};

bool send(const wxString& socket, const InstanceRequest& request) {
    wxClient client;
    std::unique_ptr<wxConnectionBase> connection(client.MakeConnection("localhost", socket, topic));
    if (!connection) return false;
    const wxString text = request.mailto.empty() ? wxString(raise_command) : mailto_prefix + request.mailto;
    const bool taken = connection->Execute(text);
    connection->Disconnect();
    return taken;
}

}  // namespace

SingleInstance::SingleInstance() = default;
SingleInstance::~SingleInstance() = default;

bool SingleInstance::hand_over_or_listen(const std::filesystem::path& profile_dir, const InstanceRequest& request,
                                         std::function<void(const InstanceRequest&)> on_request) {
    const auto socket_path = profile_dir / "tern.sock";
    if (socket_path.string().size() > max_socket_path) {
        spdlog::info("single instance: the profile's path is too long for a socket; no hand-over");
        return false;
    }
    const wxString socket = wxString::FromUTF8(socket_path.string());
    checker_ = std::make_unique<wxSingleInstanceChecker>();
    if (checker_->Create("tern.lock", wxString::FromUTF8(profile_dir.string())) && checker_->IsAnotherRunning()) {
        if (send(socket, request)) {
            spdlog::info("single instance: handed {} to the Tern already running on this profile",
                         request.mailto.empty() ? "a start" : "a mailto: link");
            return true;
        }
        // Running but not answering (still starting, or stuck): this start goes on by itself.
        spdlog::warn("single instance: another Tern holds this profile but did not answer; starting anyway");
        checker_.reset();
        return false;
    }
    // The socket of a Tern that ended without cleaning up would make Create fail.
    std::error_code ignored;
    std::filesystem::remove(socket_path, ignored);
    server_ = std::make_unique<RequestServer>(std::move(on_request));
    if (!server_->Create(socket)) {
        spdlog::warn("single instance: could not listen on {}; a second start opens its own window", socket_path.string());
        server_.reset();
    }
    return false;
}

}  // namespace tern::ui
