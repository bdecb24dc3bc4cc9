#include "tern/core/logging.hpp"

#include "tern/core/error.hpp"
#include "tern/core/redaction.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <system_error>
#include <vector>

namespace tern {
namespace {

// Redacts each record's text before any real sink formats it, so no sink can see a secret.
class RedactingSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit RedactingSink(std::vector<spdlog::sink_ptr> targets) : targets_(std::move(targets)) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        std::string clean = redact(std::string_view(msg.payload.data(), msg.payload.size()));
        spdlog::details::log_msg copy = msg;
        copy.payload = clean;
        for (auto& target : targets_)
            if (target->should_log(copy.level)) target->log(copy);
    }
    void flush_() override {
        for (auto& target : targets_) target->flush();
    }

private:
    std::vector<spdlog::sink_ptr> targets_;
};

std::shared_ptr<spdlog::logger> null_logger() { return std::make_shared<spdlog::logger>("null"); }

// spdlog's own default logger prints unredacted text to stdout: replace it before anything logs.
[[maybe_unused]] const bool default_logger_silenced = [] {
    spdlog::set_default_logger(null_logger());
    return true;
}();

}  // namespace

void init_logging(const LoggingOptions& options) {
    std::error_code ec;
    std::filesystem::create_directories(options.directory, ec);
    if (ec)
        throw Error(ErrorCategory::Storage,
                    "Tern cannot create its log folder " + options.directory.string() +
                        ". Check that the profile folder is writable.",
                    ec.message());
    std::vector<spdlog::sink_ptr> targets;
    try {
        targets.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            (options.directory / options.file_name).string(), options.max_file_bytes, options.max_files));
    } catch (const spdlog::spdlog_ex& e) {
        throw Error(ErrorCategory::Storage,
                    "Tern cannot write its log file in " + options.directory.string() + ".", e.what());
    }
    if (options.to_stderr) targets.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());

    auto logger = std::make_shared<spdlog::logger>("tern", std::make_shared<RedactingSink>(std::move(targets)));
    logger->set_level(spdlog::level::from_str(options.level));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%l] [t%t] %v");
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
}

void shutdown_logging() {
    if (auto logger = spdlog::default_logger()) logger->flush();
    spdlog::set_default_logger(null_logger());
}

}  // namespace tern
