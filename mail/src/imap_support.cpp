#include "imap_support.hpp"

#include "tern/core/text.hpp"
#include "tern/mail/message_store.hpp"

#include <vmime/charset.hpp>
#include <vmime/net/folderAttributes.hpp>

#include <algorithm>
#include <cctype>
#include <map>

namespace tern::mail::detail {

std::string path_text(const vmime::net::folder::path& path) {
    std::string out;
    for (std::size_t i = 0; i < path.getSize(); ++i) {
        if (i) out += '/';
        out += path[i].getConvertedText(vmime::charsets::UTF_8);
    }
    return out;
}

vmime::net::folder::path folder_path(const std::string& text) {
    vmime::net::folder::path path;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find('/', start), text.size());
        if (end > start)
            path.appendComponent(vmime::net::folder::path::component(text.substr(start, end - start),
                                                                     vmime::charsets::UTF_8));
        start = end + 1;
    }
    return path;
}

std::string folder_role(const vmime::net::folder& folder) {
    switch (const_cast<vmime::net::folder&>(folder).getAttributes().getSpecialUse()) {
        case vmime::net::folderAttributes::SPECIALUSE_SENT: return "sent";
        case vmime::net::folderAttributes::SPECIALUSE_DRAFTS: return "drafts";
        case vmime::net::folderAttributes::SPECIALUSE_TRASH: return "trash";
        case vmime::net::folderAttributes::SPECIALUSE_JUNK: return "junk";
        case vmime::net::folderAttributes::SPECIALUSE_ARCHIVE: return "archive";
        default: break;
    }
    // Servers without SPECIAL-USE (RFC 6154): the names people and providers use.
    const std::string name = ascii_lower(path_text(folder.getFullPath()));
    static const std::map<std::string, std::string> by_name{
        {"inbox", "inbox"},       {"sent", "sent"},       {"sent items", "sent"},   {"sent messages", "sent"},
        {"sent mail", "sent"},    {"drafts", "drafts"},   {"trash", "trash"},       {"deleted items", "trash"},
        {"deleted messages", "trash"}, {"junk", "junk"},  {"junk email", "junk"},   {"spam", "junk"},
        {"archive", "archive"},
    };
    const auto it = by_name.find(name);
    return it == by_name.end() ? std::string() : it->second;
}

int store_flags(int v) {
    int f = 0;
    if (v & vmime::net::message::FLAG_SEEN) f |= MessageFlag::Seen;
    if (v & vmime::net::message::FLAG_REPLIED) f |= MessageFlag::Answered;
    if (v & vmime::net::message::FLAG_MARKED) f |= MessageFlag::Flagged;
    if (v & vmime::net::message::FLAG_DELETED) f |= MessageFlag::Deleted;
    if (v & vmime::net::message::FLAG_DRAFT) f |= MessageFlag::Draft;
    return f;
}

int vmime_flags(int f) {
    int v = 0;
    if (f & MessageFlag::Seen) v |= vmime::net::message::FLAG_SEEN;
    if (f & MessageFlag::Answered) v |= vmime::net::message::FLAG_REPLIED;
    if (f & MessageFlag::Flagged) v |= vmime::net::message::FLAG_MARKED;
    if (f & MessageFlag::Deleted) v |= vmime::net::message::FLAG_DELETED;
    if (f & MessageFlag::Draft) v |= vmime::net::message::FLAG_DRAFT;
    return v;
}

std::int64_t uid_number(const vmime::net::message::uid& uid) {
    const std::string text = uid;
    std::int64_t n = 0;
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return 0;
        n = n * 10 + (c - '0');
    }
    return n;
}

std::string uid_set_text(const std::vector<std::int64_t>& uids) {
    std::string out;
    for (std::size_t i = 0; i < uids.size();) {
        std::size_t j = i;
        while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(uids[i]);
        if (j > i) out += ':' + std::to_string(uids[j]);
        i = j + 1;
    }
    return out;
}

}  // namespace tern::mail::detail

namespace tern::mail::detail {
namespace {

// vmime's enumerator interface has no virtual destructor; this one is never deleted through it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
struct FirstUid final : vmime::net::messageSetEnumerator {
    std::optional<std::int64_t> uid;
    void enumerateNumberMessageRange(const vmime::net::numberMessageRange&) override {}
    void enumerateUIDMessageRange(const vmime::net::UIDMessageRange& range) override {
        if (!uid) {
            const auto n = uid_number(range.getFirst());
            if (n > 0) uid = n;
        }
    }
};
#pragma GCC diagnostic pop

}  // namespace

std::optional<std::int64_t> first_uid(const vmime::net::messageSet& set) {
    FirstUid first;
    if (!set.isEmpty()) set.enumerate(first);
    return first.uid;
}

}  // namespace tern::mail::detail
