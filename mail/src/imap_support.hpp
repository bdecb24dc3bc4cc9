// Small conversions between vmime's IMAP objects and the store's plain values.
#pragma once

#include <vmime/net/folder.hpp>
#include <vmime/net/message.hpp>
#include <vmime/net/messageSet.hpp>
#include <vmime/net/store.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tern::mail::detail {

// Folder paths are stored as their UTF-8 components joined by '/'.
std::string path_text(const vmime::net::folder::path& path);
vmime::net::folder::path folder_path(const std::string& text);

// The store's role words: "inbox", "sent", "drafts", "trash", "junk", "archive" or "".
std::string folder_role(const vmime::net::folder& folder);

int store_flags(int vmime_flags);   // vmime → MessageFlag bits
int vmime_flags(int store_flags);   // MessageFlag bits → vmime

std::int64_t uid_number(const vmime::net::message::uid& uid);

// "1:3,7,9:10" for the sorted UIDs {1,2,3,7,9,10}: an IMAP sequence set.
std::string uid_set_text(const std::vector<std::int64_t>& sorted_uids);

}  // namespace tern::mail::detail

namespace tern::mail::detail {

// The first UID of a set the server returned (COPYUID / APPENDUID), if it named one.
std::optional<std::int64_t> first_uid(const vmime::net::messageSet& set);

}  // namespace tern::mail::detail
