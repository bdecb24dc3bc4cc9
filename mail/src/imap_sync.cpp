#include "tern/mail/imap_sync.hpp"

#include "imap_support.hpp"
#include "mail_service.hpp"
#include "tern/mail/message_store.hpp"

#include <vmime/net/fetchAttributes.hpp>
#include <vmime/net/imap/IMAPFolder.hpp>
#include <vmime/net/imap/IMAPFolderStatus.hpp>
#include <vmime/net/imap/IMAPMessage.hpp>
#include <vmime/net/messageSet.hpp>
#include <vmime/utility/outputStreamStringAdapter.hpp>

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
        auto folder = s.store()->getFolder(detail::folder_path(state.path));
        const auto server = status_of(*folder);

        if (state.uidvalidity != 0 && server.uidvalidity != state.uidvalidity) {
            // Every UID the store knows for this folder is void (RFC 3501 §2.3.1.1).
            spdlog::info("{}: UIDVALIDITY changed ({} -> {}), downloading the folder again", state.path,
                         state.uidvalidity, server.uidvalidity);
            store_.reset_folder(folder_id, server.uidvalidity);
            state.uidvalidity = server.uidvalidity;
            state.uidnext = state.highest_modseq = 0;
            out.uidvalidity_reset = true;
        }

        auto local_uids = store_.uids(folder_id);
        const bool bodies_wanted = settings_.bodies != BodyPolicy::OnDemand;
        const std::int64_t body_since =
            settings_.bodies == BodyPolicy::RecentDays
                ? static_cast<std::int64_t>(std::time(nullptr)) - std::int64_t(settings_.recent_days) * 86400
                : 0;
        const bool bodies_missing = bodies_wanted && !store_.uids_without_body(folder_id, body_since, 1).empty();
        if (!out.uidvalidity_reset && server.uidnext == state.uidnext &&
            server.messages == static_cast<std::int64_t>(local_uids.size()) &&
            server.highest_modseq == state.highest_modseq && state.uidnext != 0 && !bodies_missing) {
            out.unchanged = true;
            return out;
        }

        folder->open(net::folder::MODE_READ_WRITE);
        const std::int64_t local_max = local_uids.empty() ? 0 : local_uids.back();

        // New mail: headers in UID order, one committed batch at a time, so a pass that is cut
        // off resumes after the last batch it stored.
        if (server.uidnext == 0 || server.uidnext > local_max + 1) {
            auto fresh = folder->getMessages(net::messageSet::byUID(std::to_string(local_max + 1), "*"));
            // "n:*" names the last message even when its UID is below n (RFC 3501 §6.4.8).
            fresh.erase(std::remove_if(fresh.begin(), fresh.end(),
                                       [&](const auto& m) { return detail::uid_number(m->getUID()) <= local_max; }),
                        fresh.end());
            const auto total = static_cast<std::int64_t>(fresh.size());
            net::fetchAttributes attributes(net::fetchAttributes::UID | net::fetchAttributes::FLAGS |
                                            net::fetchAttributes::SIZE | net::fetchAttributes::FULL_HEADER);
            for (std::size_t at = 0; at < fresh.size(); at += settings_.header_batch) {
                cancel.throw_if_cancelled();
                std::vector<vmime::shared_ptr<net::message>> batch(
                    fresh.begin() + static_cast<std::ptrdiff_t>(at),
                    fresh.begin() + static_cast<std::ptrdiff_t>(std::min(fresh.size(), at + settings_.header_batch)));
                folder->fetchMessages(batch, attributes);
                std::vector<ServerMessage> rows;
                rows.reserve(batch.size());
                for (const auto& m : batch) {
                    ServerMessage row;
                    row.uid = detail::uid_number(m->getUID());
                    row.flags = detail::store_flags(m->getFlags());
                    row.size = static_cast<std::int64_t>(m->getSize());
                    if (const auto imap = vmime::dynamicCast<net::imap::IMAPMessage>(m))
                        row.modseq = static_cast<std::int64_t>(imap->getModSequence());
                    row.header_bytes = m->getHeader()->generate();
                    rows.push_back(std::move(row));
                }
                store_.add_messages(folder_id, rows);
                out.added += static_cast<std::int64_t>(rows.size());
                report(progress, SyncProgress::Stage::Headers, state.path, out.added, total);
            }
            local_uids = store_.uids(folder_id);
        }

        // Flags and deletions elsewhere. With CONDSTORE an unchanged HIGHESTMODSEQ and message
        // count mean there is nothing to look at.
        const bool flags_may_differ =
            server.highest_modseq == 0 || server.highest_modseq != state.highest_modseq || out.added > 0;
        const bool count_differs = folder->getMessageCount() != local_uids.size();
        if (!out.uidvalidity_reset && (flags_may_differ || count_differs) && !local_uids.empty()) {
            const auto count = folder->getMessageCount();
            std::unordered_set<std::int64_t> seen_on_server;
            std::vector<FlagUpdate> updates;
            if (count > 0) {
                auto all = folder->getMessages(net::messageSet::byNumber(1, count));
                net::fetchAttributes attributes(net::fetchAttributes::UID | net::fetchAttributes::FLAGS);
                for (std::size_t at = 0; at < all.size(); at += 5000) {
                    cancel.throw_if_cancelled();
                    std::vector<vmime::shared_ptr<net::message>> batch(
                        all.begin() + static_cast<std::ptrdiff_t>(at),
                        all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), at + 5000)));
                    folder->fetchMessages(batch, attributes);
                    for (const auto& m : batch) {
                        FlagUpdate u;
                        u.uid = detail::uid_number(m->getUID());
                        u.flags = detail::store_flags(m->getFlags());
                        if (const auto imap = vmime::dynamicCast<net::imap::IMAPMessage>(m))
                            u.modseq = static_cast<std::int64_t>(imap->getModSequence());
                        seen_on_server.insert(u.uid);
                        updates.push_back(u);
                    }
                    report(progress, SyncProgress::Stage::Flags, state.path,
                           static_cast<std::int64_t>(std::min(all.size(), at + 5000)),
                           static_cast<std::int64_t>(all.size()));
                }
            }
            store_.update_flags(folder_id, updates);
            out.flags_updated = static_cast<std::int64_t>(updates.size());
            std::vector<std::int64_t> gone;
            for (const auto uid : local_uids)
                if (!seen_on_server.count(uid)) gone.push_back(uid);
            if (!gone.empty()) store_.remove_uids(folder_id, gone);
            out.removed = static_cast<std::int64_t>(gone.size());
        }

        // Bodies, newest first, 50 to a transaction (one disk flush each): a pass that is cut off
        // keeps every batch it finished.
        if (bodies_wanted) {
            for (;;) {
                const auto missing = store_.uids_without_body(folder_id, body_since, 50);
                if (missing.empty()) break;
                std::vector<std::pair<std::int64_t, std::string>> batch;
                std::vector<std::int64_t> gone;
                for (const auto uid : missing) {
                    cancel.throw_if_cancelled();
                    auto messages = folder->getMessages(net::messageSet::byUID(std::to_string(uid)));
                    if (messages.empty()) {
                        gone.push_back(uid);  // expunged on the server meanwhile
                        continue;
                    }
                    std::string raw;
                    vmime::utility::outputStreamStringAdapter out_stream(raw);
                    messages.front()->extract(out_stream, nullptr, 0, -1, true /* peek: leave the Seen flag alone */);
                    batch.emplace_back(uid, std::move(raw));
                }
                const auto unknown = store_.set_bodies(folder_id, batch);
                gone.insert(gone.end(), unknown.begin(), unknown.end());
                if (!gone.empty()) store_.remove_uids(folder_id, gone);
                out.bodies += static_cast<std::int64_t>(batch.size() - unknown.size());
                report(progress, SyncProgress::Stage::Bodies, state.path, out.bodies, 0);
            }
        }

        const auto after = status_of(*folder);
        store_.set_sync_state(folder_id, after.uidvalidity ? after.uidvalidity : server.uidvalidity,
                              after.uidnext ? after.uidnext : server.uidnext, after.highest_modseq);
        folder->close(false);
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
        auto folder = s.store()->getFolder(detail::folder_path(path));
        folder->open(net::folder::MODE_READ_ONLY);
        auto messages = folder->getMessages(net::messageSet::byUID(std::to_string(uid)));
        if (messages.empty()) return false;
        std::string raw;
        vmime::utility::outputStreamStringAdapter out_stream(raw);
        messages.front()->extract(out_stream, nullptr, 0, -1, true);
        folder->close(false);
        return store_.set_body(state->id, uid, raw);
    } catch (...) {
        const auto thrown = std::current_exception();
        fail(s, thrown, "downloading a message from");
    }
}

}  // namespace tern::mail
