// The OpenUrl that shows a page in the person's default browser: the BROWSER environment variable
// when set (Linux and macOS), then xdg-open on Linux, open on macOS; ShellExecuteW on Windows.
#pragma once

#include "tern/auth/browser_sign_in.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tern::auth {

// The returned function throws tern::Error (Unsupported) when no browser could be started; its
// message includes the URL so the person can open it themselves.
//
// BROWSER follows the convention xdg-open and Python's webbrowser module share: a list of commands
// separated by ':', tried in order until one works; then xdg-open (open on macOS) as usual. A
// command "works" when it exits 0, or is still running after a few seconds (a browser that stays
// in the foreground). No shell is involved: see browser_commands() for how a command is read.
OpenUrl system_browser();

// One way to start a browser: the program (looked up on PATH) and its arguments.
using BrowserCommand = std::vector<std::string>;

// The commands a BROWSER value names for `url`, in the order to try them. Each ':'-separated entry
// is split into words at blanks, with '...' and "..." quoting and backslash escapes as in a POSIX
// shell (no expansion of any kind). In each word, "%s" becomes the URL and "%%" a single '%'; when
// no word holds "%s", the URL is appended as the last argument. The URL is always exactly one
// argument. Empty entries are skipped, and so are entries with an unterminated quote (logged).
std::vector<BrowserCommand> browser_commands(std::string_view browser_variable, const std::string& url);

}  // namespace tern::auth
