// Keeps the last lines of a protocol exchange so an error can quote what the server said. Only
// the server's lines and the verb of Tern's commands are kept: commands can carry credentials.
#pragma once

#include <vmime/net/tracer.hpp>

#include <deque>
#include <mutex>
#include <string>

namespace tern::mail::detail {

class ProtocolRecorder {
public:
    void sent(const std::string& line);
    void received(const std::string& line);
    std::string last_command() const;   // the one the last reply answered: "AUTH XOAUTH2", "a3 LOGIN"
    std::string last_reply() const;     // the server's last line
    std::string recent_replies(std::size_t lines) const;

private:
    mutable std::mutex mutex_;
    std::string current_command_;
    std::string last_command_;
    std::deque<std::string> replies_;
};

class RecordingTracerFactory final : public vmime::net::tracerFactory {
public:
    explicit RecordingTracerFactory(std::shared_ptr<ProtocolRecorder> recorder) : recorder_(std::move(recorder)) {}
    vmime::shared_ptr<vmime::net::tracer> create(vmime::shared_ptr<vmime::net::service>, const int) override;

private:
    std::shared_ptr<ProtocolRecorder> recorder_;
};

}  // namespace tern::mail::detail
