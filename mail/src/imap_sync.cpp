#include "tern/mail/imap_sync.hpp"

#include "imap_mailbox.hpp"
#include "imap_support.hpp"
#include "mail_service.hpp"
#include "tern/mail/message_store.hpp"

#include <vmime/net/imap/IMAPFolderStatus.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <set>
#include <unordered_set>

namespace tern::mail {

using detail::MailService;
namespace net = vmime::net;

namespace {

struct ServerFolderStatus {
    std::int64_t uidvalidity = 0, uidnext = 0, messages = 0, highest_modseq = 0;
};

ServerFolderStatus status_of(net::folder& folder) {
    ServerFolderStatus s;
    const auto status = folder.getStatus();
    s.messages = static_cast<std::int64_t>(status->getMessageCount());
    if (const auto imap = vmime::dynamicCast<net::imap::IMAPFolderStatus>(status)) {
        s.uidvalidity = imap->getUIDValidity();
        s.uidnext = imap->getUIDNext();
        s.highest_modseq = static_cast<std::int64_t>(imap->getHighestModSeq());
    }
    return s;
}

void report(const SyncProgressFn& progress, SyncProgress::Stage stage, const std::string& folder, std::int64_t done,
            std::int64_t total) {
    if (progress) progress(SyncProgress{stage, folder, done, total});
}

}  // namespace

ImapSync::ImapSync(MessageStore& store, std::int64_t account_id, ConnectionOptions options, SyncSettings settings)
    : store_(store), account_id_(account_id), options_(std::move(options)), settings_(settings) {
    if (settings_.header_batch == 0) settings_.header_batch = 500;
}

ImapSync::~ImapSync() = default;

MailService& ImapSync::service() {
    if (!service_) service_ = std::make_unique<MailService>(options_);
    return *service_;
}

void ImapSync::fail(MailService& service, std::exception_ptr thrown, const std::string& doing) {
    try {
        service.raise(thrown, doing);
    } catch (...) {
        service.abandon();
        service_.reset();
        throw;
    }
}

SyncReport ImapSync::sync(const SyncProgressFn& progress, const std::vector<std::string>& only) {
    const CancelToken& cancel = options_.cancel_token();
    for (int attempt = 0;; ++attempt) {
        try {
            return sync_once(progress, only);
        } catch (const Error& e) {
            const bool broken = e.category() == ErrorCategory::Network || e.category() == ErrorCategory::Timeout;
            if (!broken || attempt >= settings_.reconnect_attempts) throw;
            const auto delay = settings_.reconnect_delay * (1 << std::min(attempt, 6));
            spdlog::info("{}; connecting again in {} ms", e.log_line(), delay.count());
            if (!cancel.wait_for(delay)) cancel.throw_if_cancelled();
        }
    }
}

SyncReport ImapSync::sync_once(const SyncProgressFn& progress, const std::vector<std::string>& only) {
    const CancelToken& cancel = options_.cancel_token();
    SyncReport result;
    result.changes_pushed = push_changes();

    report(progress, SyncProgress::Stage::Folders, {}, 0, 0);
    std::set<std::string> on_server;
    {
        auto& s = service();
        try {
            for (const auto& folder : s.store()->getRootFolder()->getFolders(true)) {
                if (folder->getAttributes().getFlags() & net::folderAttributes::FLAG_NO_OPEN) continue;
                const auto path = detail::path_text(folder->getFullPath());
                on_server.insert(path);
                store_.upsert_folder(account_id_, path, "/", detail::folder_role(*folder));
            }
        } catch (...) {
            const auto thrown = std::current_exception();
            fail(s, thrown, "listing the folders of");
        }
    }
    for (const auto& folder : store_.folders(account_id_))
        if (!on_server.count(folder.path)) store_.remove_folder(folder.id);

    for (const auto& folder : store_.folders(account_id_)) {
        if (!only.empty() && std::find(only.begin(), only.end(), folder.path) == only.end()) continue;
        cancel.throw_if_cancelled();
        result.folders.push_back(sync_folder(folder, progress));
    }
    return result;
}

FolderSyncReport ImapSync::sync_folder(FolderState state, const SyncProgressFn& progress) {
    const CancelToken& cancel = options_.cancel_token();
    const auto folder_id = state.id;
    FolderSyncReport out;
    out.path = state.path;

    auto& s = service();
    try {
        auto local_uids = store_.uids(folder_id);
        const bool bodies_wanted = settings_.bodies != BodyPolicy::OnDemand;
        const std::int64_t body_since =
            settings_.bodies == BodyPolicy::RecentDays
                ? static_cast<std::int64_t>(std::time(nullptr)) - std::int64_t(settings_.recent_days) * 86400
                : 0;
        const bool bodies_missing = bodies_wanted && !store_.uids_without_body(folder_id, body_since, 1).empty();
        // STATUS costs one round trip; when it matches what the last pass stored there is nothing
        // to select. Without CONDSTORE (no HIGHESTMODSEQ) flag changes made elsewhere do not show
        // in STATUS, so such a folder is always looked at.
        const auto server = status_of(*s.store()->getFolder(detail::folder_path(state.path)));
        if (server.highest_modseq != 0 && server.uidvalidity == state.uidvalidity && server.uidnext == state.uidnext &&
            server.messages == static_cast<std::int64_t>(local_uids.size()) &&
            server.highest_modseq == state.highest_modseq && state.uidnext != 0 && !bodies_missing) {
            out.unchanged = true;
            return out;
        }

        detail::ImapMailbox box(*s.store(), state.path, detail::ImapMailbox::Mode::ReadOnly);
        if (state.uidvalidity != 0 && box.uidvalidity() != state.uidvalidity) {
            // Every UID the store knows for this folder is void (RFC 3501 §2.3.1.1).
            spdlog::info("{}: UIDVALIDITY changed ({} -> {}), downloading the folder again", state.path,
                         state.uidvalidity, box.uidvalidity());
            store_.reset_folder(folder_id, box.uidvalidity());
            state.uidvalidity = box.uidvalidity();
            state.uidnext = state.highest_modseq = 0;
            out.uidvalidity_reset = true;
            local_uids.clear();
        }
        const std::int64_t local_max = local_uids.empty() ? 0 : local_uids.back();

        // New mail: headers in UID order, one committed batch at a time, so a pass that is cut
        // off resumes after the last batch it stored. Their flags come with them.
        if (box.uidnext() == 0 || box.uidnext() > local_max + 1) {
            const auto fresh = box.uids_from(local_max + 1);
            const auto total = static_cast<std::int64_t>(fresh.size());
            for (std::size_t at = 0; at < fresh.size(); at += settings_.header_batch) {
                cancel.throw_if_cancelled();
                const std::vector<std::int64_t> slice(
                    fresh.begin() + static_cast<std::ptrdiff_t>(at),
                    fresh.begin() + static_cast<std::ptrdiff_t>(std::min(fresh.size(), at + settings_.header_batch)));
                const auto rows = box.fetch_headers(slice);
                store_.add_messages(folder_id, rows);
                out.added += static_cast<std::int64_t>(rows.size());
                report(progress, SyncProgress::Stage::Headers, state.path, out.added, total);
            }
        }

        // Flags and deletions of the messages the store had before this pass.
        if (!local_uids.empty()) {
            std::vector<FlagUpdate> updates;
            std::vector<std::int64_t> gone;
            const auto expected = static_cast<std::int64_t>(local_uids.size()) + out.added;
            if (box.condstore() && state.highest_modseq > 0) {
                // CONDSTORE: only what changed since the last pass, and the UID list only when
                // the message count says something was expunged.
                if (box.highest_modseq() != state.highest_modseq)
                    updates = box.fetch_flags(1, local_max, state.highest_modseq);
                if (box.exists() != expected) {
                    const auto on_server = box.uids_from(1);
                    for (const auto uid : local_uids)
                        if (!std::binary_search(on_server.begin(), on_server.end(), uid)) gone.push_back(uid);
                }
            } else {
                // Without CONDSTORE every flag is read, 5 000 UIDs to a FETCH; what is not in the
                // answers was expunged.
                std::unordered_set<std::int64_t> seen_on_server;
                for (std::size_t at = 0; at < local_uids.size(); at += 5000) {
                    cancel.throw_if_cancelled();
                    const auto last = std::min(local_uids.size(), at + 5000);
                    for (const auto& u : box.fetch_flags(local_uids[at], local_uids[last - 1])) {
                        seen_on_server.insert(u.uid);
                        updates.push_back(u);
                    }
                    report(progress, SyncProgress::Stage::Flags, state.path, static_cast<std::int64_t>(last),
                           static_cast<std::int64_t>(local_uids.size()));
                }
                for (const auto uid : local_uids)
                    if (!seen_on_server.count(uid)) gone.push_back(uid);
            }
            store_.update_flags(folder_id, updates);
            out.flags_updated = static_cast<std::int64_t>(updates.size());
            if (!gone.empty()) store_.remove_uids(folder_id, gone);
            out.removed = static_cast<std::int64_t>(gone.size());
        }

        // Bodies, newest first, 50 to a FETCH and to a transaction (one disk flush each): a pass
        // that is cut off keeps every batch it finished.
        if (bodies_wanted) {
            for (;;) {
                cancel.throw_if_cancelled();
                auto missing = store_.uids_without_body(folder_id, body_since, 50);
                if (missing.empty()) break;
                std::sort(missing.begin(), missing.end());
                auto fetched = box.fetch_bodies(missing);
                std::vector<std::pair<std::int64_t, std::string>> batch;
                std::vector<std::int64_t> gone;
                for (const auto uid : missing) {
                    const auto it = fetched.find(uid);
                    if (it == fetched.end()) gone.push_back(uid);  // expunged on the server meanwhile
                    else batch.emplace_back(uid, std::move(it->second));
                }
                const auto unknown = store_.set_bodies(folder_id, batch);
                gone.insert(gone.end(), unknown.begin(), unknown.end());
                if (!gone.empty()) store_.remove_uids(folder_id, gone);
                out.bodies += static_cast<std::int64_t>(batch.size() - unknown.size());
                report(progress, SyncProgress::Stage::Bodies, state.path, out.bodies, 0);
            }
        }

        // What SELECT said: anything changed since then has a higher MODSEQ or UID and is found
        // by the next pass.
        store_.set_sync_state(folder_id, box.uidvalidity() ? box.uidvalidity() : server.uidvalidity,
                              box.uidnext() ? box.uidnext() : server.uidnext, box.highest_modseq());
        box.close();
    } catch (...) {
        const auto thrown = std::current_exception();
        fail(s, thrown, "synchronising " + state.path + " with");
    }
    return out;
}

bool ImapSync::fetch_body(const std::string& path, std::int64_t uid) {
    const auto state = store_.folder(account_id_, path);
    if (!state) throw Error(ErrorCategory::NotFound, "There is no folder \"" + path + "\" in this account.");
    auto& s = service();
    try {
        detail::ImapMailbox box(*s.store(), path, detail::ImapMailbox::Mode::ReadOnly);
        auto fetched = box.fetch_bodies({uid});
        box.close();
        if (fetched.empty()) return false;
        return store_.set_body(state->id, uid, fetched.begin()->second);
    } catch (...) {
        const auto thrown = std::current_exception();
        fail(s, thrown, "downloading a message from");
    }
}

}  // namespace tern::mail
