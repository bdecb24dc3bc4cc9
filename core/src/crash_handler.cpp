#include "tern/core/crash_handler.hpp"

#include "tern/core/error.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

namespace tern {
namespace {

const char* program = "tern";

[[noreturn]] void on_terminate() {
    // Error::log_line redacts; to_error words exceptions that are not Tern's.
    const Error error = std::current_exception() ? to_error(std::current_exception())
                                                 : Error(ErrorCategory::Internal, {}, "std::terminate without exception");
    const std::string line = error.log_line();
    spdlog::critical("{}: terminating: {}", program, line);
    spdlog::default_logger()->flush();
    std::fprintf(stderr, "%s: fatal: %s\n", program, line.c_str());
    std::abort();
}

}  // namespace

void install_crash_handler(const char* program_name) {
    program = program_name;
    std::set_terminate(on_terminate);
}

}  // namespace tern
