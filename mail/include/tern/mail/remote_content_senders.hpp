// The senders whose messages may load remote images, styles and fonts in the reader: the person's
// choice, one sender address at a time, kept in the profile's settings ("reader.remote_content.<address>").
#pragma once

#include "tern/core/database.hpp"

#include <string_view>

namespace tern::mail {

bool remote_content_allowed(Database& db, std::string_view sender_address);
void allow_remote_content(Database& db, std::string_view sender_address);
void forbid_remote_content(Database& db, std::string_view sender_address);

}  // namespace tern::mail
