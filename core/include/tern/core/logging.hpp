// Process-wide logging: a rotating file in the profile's logs/ folder (and optionally stderr),
// every line passing through the redaction layer first. Code logs with spdlog's free functions
// (spdlog::info, ...) once init_logging has run; before that, logging goes nowhere.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace tern {

struct LoggingOptions {
    std::filesystem::path directory;         // usually <profile>/logs
    std::string file_name = "tern.log";
    std::size_t max_file_bytes = 5 * 1024 * 1024;
    std::size_t max_files = 3;               // rotated copies kept besides the current file
    bool to_stderr = false;                  // tern-cli --verbose
    std::string level = "info";              // trace, debug, info, warn, error
};

// Replace the default logger. Throws tern::Error (Storage) when the folder cannot be written.
void init_logging(const LoggingOptions& options);

// Flush and drop all sinks (tests call this before reading the file).
void shutdown_logging();

}  // namespace tern
