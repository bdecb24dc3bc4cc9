// IMAP IDLE (RFC 2177) on INBOX. vmime 0.9.2 has no IDLE: the command goes through vmime's own
// connection, the wait reads the socket directly (whole lines only, so vmime's parser never sees
// half a line), and DONE hands the connection back to vmime, which reads the tagged OK.
#include "tern/mail/imap_sync.hpp"

#include "imap_mailbox.hpp"
#include "imap_support.hpp"
#include "mail_service.hpp"

#include <vmime/net/imap/IMAPCommand.hpp>
#include <vmime/net/imap/IMAPConnection.hpp>
#include <vmime/net/imap/IMAPStore.hpp>
#include <vmime/net/socket.hpp>

#include <spdlog/spdlog.h>

#include <memory>

namespace tern::mail {
namespace net = vmime::net;

namespace {

bool has_continuation(const net::imap::IMAPParser::response& response) {
    for (const auto* data : response.continue_req_or_response_data())
        if (data->continue_req()) return true;
    return false;
}

// Untagged answers that mean INBOX changed: new mail, expunges, flag changes by others.
bool announces_change(const std::string& lines) {
    return lines.find(" EXISTS") != std::string::npos || lines.find(" EXPUNGE") != std::string::npos ||
           lines.find(" FETCH") != std::string::npos || lines.find(" RECENT") != std::string::npos;
}

}  // namespace

bool ImapSync::wait_for_inbox_change(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    auto& s = service();
    try {
        auto store = vmime::dynamicCast<net::imap::IMAPStore>(s.store());
        // vmime gives every opened folder a connection of its own and does not expose it: INBOX
        // is selected (read-only) on the store's connection instead, which then does the IDLE.
        auto connection = store->getConnection();
        detail::ImapMailbox inbox(*store, "INBOX", detail::ImapMailbox::Mode::ReadOnly);
        if (!connection->hasCapability("IDLE")) {
            // No IDLE: wait, and let the caller's next sync find what came.
            inbox.close();
            options_.cancel_token().wait_for(limit);
            return false;
        }
        net::imap::IMAPCommand::createCommand("IDLE")->send(connection);
        std::unique_ptr<net::imap::IMAPParser::response> started(connection->readResponse());
        if (!has_continuation(*started))
            throw Error(ErrorCategory::Protocol, "The server refused to wait for new mail (IDLE).",
                        started->getErrorLog());

        auto socket = std::const_pointer_cast<net::socket>(connection->getSocket());

        std::string lines;
        bool changed = false;
        while (!changed && std::chrono::steady_clock::now() < deadline) {
            if (options_.cancel_token().cancelled()) break;
            // Silence is what IDLE is for: the connection's time-out only guards the exchanges.
            if (auto timeout = socket->getTimeoutHandler()) timeout->resetTimeOut();
            if (!socket->waitForRead(200)) continue;
            std::string chunk;
            socket->receive(chunk);
            if (chunk.empty() && !socket->isConnected())
                throw Error(ErrorCategory::Network, "The server closed the connection while Tern waited for new mail.");
            lines += chunk;

            // Only whole lines leave the socket here: wait for the end of a started one.
            if (!lines.empty() && lines.back() != '\n') continue;
            changed = announces_change(lines);
            lines.clear();
        }
        const std::string done = "DONE\r\n";
        connection->sendRaw(reinterpret_cast<const vmime::byte_t*>(done.data()), done.size());
        std::unique_ptr<net::imap::IMAPParser::response> finished(connection->readResponse());
        inbox.close();
        options_.cancel_token().throw_if_cancelled();
        return changed;
    } catch (...) {
        const auto thrown = std::current_exception();
        fail(s, thrown, "waiting for new mail on");
    }
}

}  // namespace tern::mail
