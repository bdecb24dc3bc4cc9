#include "tern/mail/pop3_download.hpp"

#include "mail_error.hpp"
#include "mail_service.hpp"
#include "tern/mail/message_store.hpp"

#include <vmime/exception.hpp>
#include <vmime/net/fetchAttributes.hpp>
#include <vmime/net/messageSet.hpp>
#include <vmime/net/pop3/POP3Command.hpp>
#include <vmime/net/pop3/POP3Connection.hpp>
#include <vmime/net/pop3/POP3Response.hpp>
#include <vmime/net/pop3/POP3Store.hpp>
#include <vmime/net/socket.hpp>
#include <vmime/net/timeoutHandler.hpp>
#include <vmime/net/tracer.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <unordered_set>

// Why a batch is written in three steps instead of one transaction: MessageStore's writers each
// run their own transaction (BEGIN IMMEDIATE), which cannot be nested in an outer one. So the
// UIDL ledger reserves the local uids first (committed), the messages are stored under those uids
// (add_messages, set_bodies: an upsert by uid never doubles), and only then are the UIDLs marked
// downloaded. A pass cut off anywhere in between leaves reserved rows, and the next pass stores
// those messages again under the same uids, or just confirms them when they are complete.

namespace tern::mail {

using detail::MailService;
namespace net = vmime::net;

namespace {

constexpr const char* inbox_path = "INBOX";
// A batch also ends at this many bytes, so that a run of large attachments is not all held in
// memory before it is written.
constexpr std::size_t batch_bytes = 32 * 1024 * 1024;

// One message as the server lists it in this session.
struct Listed {
    std::string uidl;
    std::int64_t size = 0;
    std::size_t number = 0;  // RETR and DELE name it by this, valid in this session only
};

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void report(const SyncProgressFn& progress, SyncProgress::Stage stage, std::int64_t done, std::int64_t total) {
    if (progress) progress(SyncProgress{stage, inbox_path, done, total});
}

// UIDL and LIST for every message, one command each. A UIDL listed twice (a broken server) is
// taken once.
std::vector<Listed> list_messages(net::folder& inbox, const ServerEndpoint& server) {
    const auto count = inbox.getMessageCount();
    if (count == 0) return {};
    auto messages = inbox.getMessages(net::messageSet::byNumber(1, count));
    inbox.fetchMessages(messages, net::fetchAttributes(net::fetchAttributes::UID | net::fetchAttributes::SIZE));
    std::vector<Listed> out;
    std::unordered_set<std::string> seen;
    for (const auto& m : messages) {
        if (m->getUID().empty())
            throw Error(ErrorCategory::Unsupported,
                        detail::server_name(server) +
                            " does not give its messages unique ids (POP3 UIDL), which Tern needs to tell new mail "
                            "from mail it already has. Use IMAP for this account if the server offers it.",
                        "UIDL gave no id for message " + std::to_string(m->getNumber()));
        if (!seen.insert(m->getUID()).second) continue;
        std::int64_t size = 0;
        try {
            size = static_cast<std::int64_t>(m->getSize());
        } catch (const vmime::exceptions::unfetched_object&) {
            // LIST failed; the stored size is then the downloaded one.
        }
        out.push_back({m->getUID(), size, m->getNumber()});
    }
    return out;
}

// Receives what the server sent so far, waiting for some first, as vmime's own readers do (the
// time-out handler is also how a cancel stops the wait).
void receive_some(net::socket& socket, net::timeoutHandler* timeout, std::string& data) {
    std::string chunk;
    socket.receive(chunk);
    if (!chunk.empty()) {
        if (timeout) timeout->resetTimeOut();
        data += chunk;
        return;
    }
    if (timeout && timeout->isTimeOut()) {
        if (!timeout->handleTimeOut()) throw vmime::exceptions::operation_timed_out();
        timeout->resetTimeOut();
    }
    if (socket.getStatus() & net::socket::STATUS_WANT_WRITE)
        socket.waitForWrite();
    else
        socket.waitForRead();
}

// RETR, read here rather than by vmime: vmime 0.9.2 holds back the line end of a one-line -ERR
// answer while it looks for the terminating ".", and then waits for the time-out. nullopt: the
// server refused this one message (Dovecot: "-ERR Message 2 expunged." when another client
// deleted it during this session); the session goes on.
std::optional<std::string> retrieve(const vmime::shared_ptr<net::pop3::POP3Connection>& connection,
                                    std::size_t number) {
    net::pop3::POP3Command::RETR(number)->send(connection);
    const auto socket = connection->getSocket();
    const auto timeout = connection->getTimeoutHandler();
    const auto tracer = connection->getTracer();
    if (timeout) timeout->resetTimeOut();

    std::string data;
    std::size_t eol = 0;
    while ((eol = data.find('\n')) == std::string::npos) receive_some(*socket, timeout.get(), data);
    auto status = data.substr(0, eol);
    if (!status.empty() && status.back() == '\r') status.pop_back();
    if (tracer) tracer->traceReceive(status);
    if (status.compare(0, 3, "+OK") != 0) {
        spdlog::warn("POP3: the server did not send message {}: {}", number, status);
        return std::nullopt;
    }

    // The message ends before a line that holds only "." (RFC 1939 §3); a server that ends lines
    // with a bare LF is understood too.
    std::size_t from = eol, end = std::string::npos;
    for (;;) {
        end = std::min(data.find("\n.\r\n", from), data.find("\n.\n", from));
        if (end != std::string::npos) break;
        from = std::max(eol, data.size() >= 3 ? data.size() - 3 : 0);
        receive_some(*socket, timeout.get(), data);
    }
    if (tracer) {
        tracer->traceReceiveBytes(end - eol);
        tracer->traceReceive(".");
    }
    // Lines that start with "." came with one more: drop it.
    std::string raw;
    raw.reserve(end - eol);
    bool line_start = true;
    for (std::size_t i = eol + 1; i <= end; ++i) {
        const char c = data[i];
        if (line_start && c == '.') {
            line_start = false;
            continue;
        }
        raw += c;
        line_start = c == '\n';
    }
    return raw;
}

std::string header_block(const std::string& raw) {
    if (const auto end = raw.find("\r\n\r\n"); end != std::string::npos) return raw.substr(0, end + 4);
    if (const auto end = raw.find("\n\n"); end != std::string::npos) return raw.substr(0, end + 2);
    return raw;
}

// QUIT, checked: only its +OK says the server carried out the DELEs (RFC 1939 §6), and vmime's
// own logout ignores the answer. The server then closes the session, so the socket is dropped
// without vmime's goodbye.
void quit(MailService& service, const vmime::shared_ptr<net::pop3::POP3Connection>& connection) {
    net::pop3::POP3Command::QUIT()->send(connection);
    const auto response = net::pop3::POP3Response::readResponse(connection);
    if (!response->isSuccess()) throw vmime::exceptions::command_error("QUIT", response->getFirstLine());
    service.abandon();
}

// Closes the folder object without a word to the server: vmime's close(false) and the folder's
// destructor send RSET, which would take back the DELEs before QUIT, or write to a broken socket.
void forget_folder(vmime::shared_ptr<net::folder>& folder) noexcept {
    try {
        if (folder && folder->isOpen()) folder->close(true);
    } catch (...) {
        // The store is gone already: nothing is sent either way.
    }
    folder.reset();
}

// The messages one pass works through, decided from the listing and the ledger.
struct Plan {
    std::vector<const Listed*> wanted;       // new, or reserved by a pass that stopped; in server order
    std::vector<std::string> confirmed;      // reserved, and the store has them complete
    std::vector<std::string> gone;           // here, no longer on the server
    std::vector<std::string> never_stored;   // reserved, not on the server and not in the store
    std::unordered_map<std::string, std::size_t> number;  // UIDL -> message number in this session
};

Plan plan(const std::vector<Listed>& listed, const std::vector<Pop3UidlRow>& rows, MessageStore& store,
          std::int64_t folder_id) {
    Plan p;
    std::unordered_map<std::string, const Pop3UidlRow*> known;
    for (const auto& row : rows) known.emplace(row.uidl, &row);
    for (const auto& l : listed) {
        p.number.emplace(l.uidl, l.number);
        const auto it = known.find(l.uidl);
        if (it == known.end()) {
            p.wanted.push_back(&l);
        } else if (!it->second->downloaded_at) {
            const auto stored = store.message(folder_id, it->second->uid);
            if (stored && stored->summary.body_downloaded)
                p.confirmed.push_back(l.uidl);
            else
                p.wanted.push_back(&l);
        }
    }
    for (const auto& row : rows) {
        if (p.number.count(row.uidl)) continue;
        if (!row.downloaded_at) {
            // Whatever part of it the store has is all there will ever be: keep that.
            if (store.message(folder_id, row.uid))
                p.confirmed.push_back(row.uidl);
            else {
                p.never_stored.push_back(row.uidl);
                continue;
            }
        }
        if (!row.deleted_on_server) p.gone.push_back(row.uidl);
    }
    return p;
}

// What one pass works with.
struct Pass {
    MessageStore& store;
    Pop3Uidls& ledger;
    std::int64_t folder_id;
    const CancelToken& cancel;
    const SyncProgressFn& progress;
};

// Reserves the uids, stores the messages under them, then marks their UIDLs downloaded.
void store_batch(Pass& pass, const std::vector<const Listed*>& batch, std::vector<std::string>& raws) {
    std::vector<std::string> uidls;
    for (const auto* l : batch) uidls.push_back(l->uidl);
    const auto uids = pass.ledger.reserve(pass.folder_id, uidls);
    const auto now = now_seconds();
    std::vector<ServerMessage> headers;
    std::vector<std::pair<std::int64_t, std::string>> bodies;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        ServerMessage m;
        m.uid = uids[i];
        m.internal_date = now;  // POP3 has no arrival date: the download's stands in
        m.size = batch[i]->size > 0 ? batch[i]->size : static_cast<std::int64_t>(raws[i].size());
        m.header_bytes = header_block(raws[i]);
        headers.push_back(std::move(m));
        bodies.emplace_back(uids[i], std::move(raws[i]));
    }
    pass.store.add_messages(pass.folder_id, headers);
    // A uid the store skips is one the person deleted here meanwhile: it stays deleted.
    pass.store.set_bodies(pass.folder_id, bodies);
    pass.ledger.mark_downloaded(uidls, now);
}

// New mail, whole, oldest first, one committed batch at a time.
void download_new(Pass& pass, const vmime::shared_ptr<net::pop3::POP3Connection>& connection, const Plan& plan,
                  std::size_t batch_size, Pop3Report& out) {
    const auto& wanted = plan.wanted;
    const auto total = static_cast<std::int64_t>(wanted.size());
    report(pass.progress, SyncProgress::Stage::Headers, 0, total);
    for (std::size_t at = 0; at < wanted.size();) {
        pass.cancel.throw_if_cancelled();
        std::vector<const Listed*> batch;
        std::vector<std::string> raws;
        std::size_t bytes = 0;
        for (; at < wanted.size() && batch.size() < batch_size && bytes < batch_bytes; ++at) {
            auto raw = retrieve(connection, wanted[at]->number);
            if (!raw) {
                ++out.skipped;
                continue;
            }
            bytes += raw->size();
            batch.push_back(wanted[at]);
            raws.push_back(std::move(*raw));
        }
        if (batch.empty()) continue;
        store_batch(pass, batch, raws);
        out.downloaded += static_cast<std::int64_t>(batch.size());
        report(pass.progress, SyncProgress::Stage::Headers, out.downloaded, total);
    }
}

// The person's queued changes to POP3 mail. A delete becomes a DELE in this session (its UIDL is
// returned with the operation, completed once QUIT succeeds); flags exist only here, so they are
// done at once. A POP3 account has one folder, so moves cannot be queued; an append (a draft)
// stays local, as discard() keeps it.
struct QueuedDeletions {
    std::unordered_set<std::string> uidls;
    std::vector<std::int64_t> operations;
};

QueuedDeletions queued_changes(Pass& pass, std::int64_t account_id) {
    QueuedDeletions out;
    std::unordered_map<std::int64_t, std::string> uidl_of;
    for (const auto& row : pass.ledger.rows()) uidl_of.emplace(row.uid, row.uidl);
    for (const auto& op : pass.store.pending(account_id)) {
        if (op.kind == "delete" && op.folder_id == pass.folder_id) {
            const auto it = uidl_of.find(op.uid);
            if (it == uidl_of.end()) {
                pass.store.complete(op.id);  // never on the server (or forgotten): nothing to delete there
                continue;
            }
            out.uidls.insert(it->second);
            out.operations.push_back(op.id);
        } else if (op.kind == "flags") {
            pass.store.complete(op.id);
        } else if (op.kind == "append") {
            pass.store.discard(op.id);
        } else {
            spdlog::warn("POP3 account: a queued {} cannot be carried out on the server; it stays queued", op.kind);
        }
    }
    return out;
}

// DELE for what the settings say may go and what the person deleted here; the server carries it
// out at QUIT. Returns the UIDLs.
std::vector<std::string> delete_due(Pass& pass, net::folder& inbox, const Plan& plan, const Pop3Settings& settings,
                                    const std::unordered_set<std::string>& deleted_here) {
    std::vector<std::size_t> numbers;
    std::vector<std::string> deleting;
    const auto now = now_seconds();
    for (const auto& row : pass.ledger.rows()) {
        const auto it = plan.number.find(row.uidl);
        if (it == plan.number.end()) continue;
        if (!pop3_deletion_due(row, settings, now) && !(deleted_here.count(row.uidl) && !row.deleted_on_server)) continue;
        numbers.push_back(it->second);
        deleting.push_back(row.uidl);
    }
    if (numbers.empty()) return deleting;
    pass.cancel.throw_if_cancelled();
    const auto count = static_cast<std::int64_t>(numbers.size());
    report(pass.progress, SyncProgress::Stage::Changes, 0, count);
    inbox.deleteMessages(net::messageSet::byNumber(numbers));
    report(pass.progress, SyncProgress::Stage::Changes, count, count);
    return deleting;
}

}  // namespace

bool pop3_deletion_due(const Pop3UidlRow& row, const Pop3Settings& settings, std::int64_t now) {
    if (!row.downloaded_at || row.deleted_on_server) return false;
    if (!settings.leave_on_server) return true;
    return settings.delete_after_days > 0 &&
           now - *row.downloaded_at > std::int64_t{settings.delete_after_days} * 24 * 60 * 60;
}

Pop3Download::Pop3Download(Database& db, std::int64_t account_id, ConnectionOptions options, Pop3Settings settings)
    : db_(db), account_id_(account_id), options_(std::move(options)), settings_(settings) {
    if (settings_.batch == 0) settings_.batch = 50;
    if (options_.server.protocol != MailProtocol::Pop3)
        throw Error(ErrorCategory::Internal, {}, "Pop3Download for a server that is not POP3");
}

Pop3Report Pop3Download::download(const SyncProgressFn& progress) {
    const CancelToken& cancel = options_.cancel_token();
    cancel.throw_if_cancelled();
    MessageStore store(db_);
    Pop3Uidls ledger(db_, account_id_);
    Pop3Report out;

    MailService service(options_);
    Pass pass{store, ledger, store.upsert_folder(account_id_, inbox_path, "/", "inbox"), cancel, progress};
    vmime::shared_ptr<net::folder> inbox;
    try {
        const auto connection = vmime::dynamicCast<net::pop3::POP3Store>(service.store())->getConnection();
        inbox = service.store()->getDefaultFolder();
        inbox->open(net::folder::MODE_READ_WRITE);
        const auto listed = list_messages(*inbox, options_.server);
        out.on_server = static_cast<std::int64_t>(listed.size());

        const auto p = plan(listed, ledger.rows(), store, pass.folder_id);
        ledger.forget(p.never_stored);
        ledger.mark_downloaded(p.confirmed, now_seconds());
        ledger.mark_deleted_on_server(p.gone);
        out.gone_from_server = static_cast<std::int64_t>(p.gone.size());

        download_new(pass, connection, p, settings_.batch, out);
        const auto queued = queued_changes(pass, account_id_);
        const auto deleting = delete_due(pass, *inbox, p, settings_, queued.uidls);
        forget_folder(inbox);
        quit(service, connection);
        ledger.mark_deleted_on_server(deleting);
        // Deleted on the server now, or no longer there to delete.
        for (const auto id : queued.operations) store.complete(id);
        out.deleted_on_server = static_cast<std::int64_t>(deleting.size());
    } catch (...) {
        const auto thrown = std::current_exception();
        // Without QUIT the server forgets every DELE of this session: nothing is lost there.
        service.abandon();
        forget_folder(inbox);
        service.raise(thrown, "downloading mail from");
    }
    return out;
}

}  // namespace tern::mail
