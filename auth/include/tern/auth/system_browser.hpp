// The OpenUrl that shows a page in the person's default browser: xdg-open on Linux, open on macOS,
// ShellExecuteW on Windows.
#pragma once

#include "tern/auth/browser_sign_in.hpp"

namespace tern::auth {

// The returned function throws tern::Error (Unsupported) when no browser could be started; its
// message includes the URL so the person can open it themselves.
OpenUrl system_browser();

}  // namespace tern::auth
