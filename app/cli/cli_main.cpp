// tern-cli: parse, run the chosen command, map the outcome to exit codes 0 / 1 / 2.
#include "commands.hpp"

#include "tern/core/crash_handler.hpp"
#include "tern/core/logging.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
    using namespace tern::cli;
    tern::install_crash_handler("tern-cli");
    CLI::App app{"tern-cli: the headless face of Tern", "tern-cli"};
    CliContext ctx;
    CommandArgs args;
    Handler selected;
    build_command_tree(app, ctx, args, selected);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11 reports "tern-cli frobnicate" as a missing subcommand: name the word it did not know.
        const auto unknown = app.remaining();
        if (!unknown.empty() && app.get_subcommands().empty()) {
            std::cerr << "tern-cli: unknown command '" << unknown.front() << "'\n"
                      << "Run with --help for the commands and options.\n";
            return exit_usage;
        }
        const int code = app.exit(e);  // prints help, version or the usage error
        return code == 0 ? exit_ok : exit_usage;
    }
    int code = exit_failed;
    try {
        code = selected(ctx, args);
    } catch (...) {
        code = report_error(ctx, tern::to_error(std::current_exception()));
    }
    tern::shutdown_logging();
    return code;
}
