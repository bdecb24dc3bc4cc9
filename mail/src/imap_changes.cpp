// The person's queued changes, sent to the IMAP server in the order they were made.
#include "tern/mail/imap_sync.hpp"

#include "imap_mailbox.hpp"
#include "imap_support.hpp"
#include "mail_service.hpp"
#include "tern/mail/message_store.hpp"

#include <vmime/exception.hpp>
#include <vmime/utility/inputStreamStringAdapter.hpp>

#include <spdlog/spdlog.h>

#include <map>

namespace tern::mail {
namespace net = vmime::net;

namespace {

void apply(net::store& store, MessageStore& local, const PendingOperation& op, const std::string& path,
           const std::map<std::int64_t, std::string>& paths) {
    std::optional<std::int64_t> new_uid;
    if (op.kind == "append") {
        // APPEND needs no selected mailbox, but vmime's addMessage wants the folder open.
        const auto raw = local.raw_message_by_id(op.message);
        if (raw) {
            auto folder = store.getFolder(detail::folder_path(path));
            folder->open(net::folder::MODE_READ_WRITE);
            vmime::utility::inputStreamStringAdapter in(*raw);
            new_uid = detail::first_uid(folder->addMessage(in, raw->size(), detail::vmime_flags(op.add_flags)));
            folder->close(false);
        }
    } else {
        detail::ImapMailbox box(store, path, detail::ImapMailbox::Mode::ReadWrite);
        if (op.kind == "flags") {
            box.store_flags(op.uid, op.add_flags, op.remove_flags);
        } else if (op.kind == "move") {
            const auto target = paths.find(op.target_folder_id);
            if (target == paths.end()) throw Error(ErrorCategory::NotFound, "The target folder of a move is gone.");
            new_uid = box.move(op.uid, target->second);
        } else if (op.kind == "delete") {
            box.remove(op.uid);
        }
        box.close();
    }
    local.complete(op.id, new_uid);
}

}  // namespace

std::int64_t ImapSync::push_changes() {
    const auto operations = store_.pending(account_id_);
    if (operations.empty()) return 0;
    std::map<std::int64_t, std::string> paths;
    for (const auto& f : store_.folders(account_id_)) paths[f.id] = f.path;

    std::int64_t applied = 0;
    auto& s = service();
    for (const auto& op : operations) {
        const auto path = paths.find(op.folder_id);
        if (path == paths.end()) {
            store_.discard(op.id);  // its folder is gone from the server
            continue;
        }
        try {
            apply(*s.store(), store_, op, path->second, paths);
            ++applied;
        } catch (const vmime::exceptions::command_error& refused) {
            // The server said NO to this one change (e.g. the target folder is read-only): drop
            // it, the next sync shows the server's state again.
            spdlog::warn("{}: the server refused a queued {} ({}): {}", path->second, op.kind, refused.command(),
                         refused.response());
            store_.discard(op.id);
        } catch (...) {
            const auto thrown = std::current_exception();
            fail(s, thrown, "sending your changes to");
        }
    }
    return applied;
}

void ImapSync::append(const std::string& path, const std::string& raw, int flags) {
    auto& s = service();
    try {
        auto folder = s.store()->getFolder(detail::folder_path(path));
        folder->open(net::folder::MODE_READ_WRITE);
        vmime::utility::inputStreamStringAdapter in(raw);
        folder->addMessage(in, raw.size(), detail::vmime_flags(flags));
        folder->close(false);
    } catch (...) {
        const auto thrown = std::current_exception();
        fail(s, thrown, "saving a copy in " + path + " on");
    }
}

}  // namespace tern::mail
