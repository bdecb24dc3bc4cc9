// Creating and deleting folders on the IMAP server.
#include "tern/mail/imap_sync.hpp"

#include "imap_support.hpp"
#include "mail_service.hpp"

#include <vmime/net/folderAttributes.hpp>

namespace tern::mail {

void ImapSync::create_folder(const std::string& path) {
    auto& s = service();
    try {
        auto folder = s.store()->getFolder(detail::folder_path(path));
        if (!folder->exists()) folder->create(vmime::net::folderAttributes());
    } catch (...) {
        const auto thrown = std::current_exception();
        fail(s, thrown, "creating the folder " + path + " on");
    }
}

void ImapSync::delete_folder(const std::string& path) {
    auto& s = service();
    try {
        auto folder = s.store()->getFolder(detail::folder_path(path));
        if (folder->exists()) folder->destroy();
    } catch (...) {
        const auto thrown = std::current_exception();
        fail(s, thrown, "deleting the folder " + path + " on");
    }
}

}  // namespace tern::mail
