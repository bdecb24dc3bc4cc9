// The fallback policy's questions for the person, asked from a worker in the desktop app: the
// password dialog opens on the UI thread while the worker waits for the answer; what the policy
// tells goes to `tell` on the UI thread (the main window updates its banner and status).
#pragma once

#include "tern/accounts/account_access.hpp"

#include <wx/window.h>

#include <functional>

namespace tern::ui {

accounts::FallbackPrompts desktop_prompts(wxWindow* parent,
                                          std::function<void(const accounts::Account&, const accounts::PolicyDecision&)> tell);

}  // namespace tern::ui
