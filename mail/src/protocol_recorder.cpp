#include "protocol_recorder.hpp"

#include "tern/core/redaction.hpp"
#include "tern/core/text.hpp"

#include <algorithm>
#include <vector>

namespace tern::mail::detail {
namespace {

constexpr std::size_t kept_replies = 8;
constexpr std::size_t longest_line = 300;

// The command's tag and verb (and an AUTH's mechanism), never arguments that can be credentials:
// "a3 LOGIN user pass" → "a3 LOGIN", "AUTH XOAUTH2 dXNl..." → "AUTH XOAUTH2", "PASS x" → "PASS".
std::string verb_of(const std::string& line) {
    std::vector<std::string> words;
    for (std::size_t i = 0; i < line.size() && words.size() < 3;) {
        const auto end = std::min(line.find(' ', i), line.size());
        if (end > i) words.push_back(line.substr(i, end - i));
        i = end + 1;
    }
    const auto is = [&](std::size_t i, const char* verb) { return words.size() > i && iequals(words[i], verb); };
    if (words.empty()) return {};
    if (words.size() == 1 && words[0].size() > 16) return "(SASL response)";
    if (is(0, "AUTH")) return words.size() > 1 ? words[0] + " " + words[1] : words[0];
    if (is(0, "PASS") || is(0, "APOP")) return words[0];
    if (is(1, "AUTHENTICATE")) return words.size() > 2 ? words[0] + " " + words[1] + " " + words[2] : words[0] + " " + words[1];
    if (words.size() == 1) return words[0];
    return words[0] + " " + words[1];
}

}  // namespace

void ProtocolRecorder::sent(const std::string& line) {
    // vmime also traces its own notes ("{...SASL exchange: 12 bytes}", "Disconnecting"): not commands.
    if (line.empty() || line.front() == '{' || line == "Disconnecting") return;
    std::lock_guard lock(mutex_);
    current_command_ = verb_of(line);
}

void ProtocolRecorder::received(const std::string& line) {
    std::lock_guard lock(mutex_);
    last_command_ = current_command_;  // the command this reply answers
    replies_.push_back(redact(line.substr(0, longest_line)));
    if (replies_.size() > kept_replies) replies_.pop_front();
}

std::string ProtocolRecorder::last_command() const {
    std::lock_guard lock(mutex_);
    return last_command_;
}

std::string ProtocolRecorder::last_reply() const {
    std::lock_guard lock(mutex_);
    return replies_.empty() ? std::string() : replies_.back();
}

std::string ProtocolRecorder::recent_replies(std::size_t lines) const {
    std::lock_guard lock(mutex_);
    std::string out;
    const auto from = replies_.size() > lines ? replies_.size() - lines : 0;
    for (auto i = from; i < replies_.size(); ++i) out += (out.empty() ? "" : "\n") + replies_[i];
    return out;
}

namespace {

class RecordingTracer final : public vmime::net::tracer {
public:
    explicit RecordingTracer(std::shared_ptr<ProtocolRecorder> recorder) : recorder_(std::move(recorder)) {}
    void traceSend(const vmime::string& line) override { recorder_->sent(line); }
    void traceReceive(const vmime::string& line) override { recorder_->received(line); }
    // Byte counts of literals and SASL exchanges say nothing a person needs.
    void traceSendBytes(const size_t, const vmime::string&) override {}
    void traceReceiveBytes(const size_t, const vmime::string&) override {}

private:
    std::shared_ptr<ProtocolRecorder> recorder_;
};

}  // namespace

vmime::shared_ptr<vmime::net::tracer> RecordingTracerFactory::create(vmime::shared_ptr<vmime::net::service>,
                                                                     const int) {
    return vmime::make_shared<RecordingTracer>(recorder_);
}

}  // namespace tern::mail::detail
