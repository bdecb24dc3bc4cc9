#include "imap_mailbox.hpp"

#include "imap_support.hpp"

#include <vmime/exception.hpp>
#include <vmime/net/imap/IMAPCommand.hpp>
#include <vmime/net/imap/IMAPStore.hpp>
#include <vmime/net/imap/IMAPUtils.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tern::mail::detail {
namespace imap = vmime::net::imap;
using Parser = imap::IMAPParser;

namespace {

bool ok(const Parser::response& response) {
    if (response.isBad()) return false;
    const auto* done = response.response_done();
    const auto* tagged = done ? done->response_tagged() : nullptr;
    return tagged && tagged->resp_cond_state() && tagged->resp_cond_state()->status() == Parser::resp_cond_state::OK;
}

std::string server_words(const Parser::response& response) {
    const auto* done = response.response_done();
    const auto* tagged = done ? done->response_tagged() : nullptr;
    if (tagged && tagged->resp_cond_state() && tagged->resp_cond_state()->resp_text())
        return tagged->resp_cond_state()->resp_text()->text();
    return response.getErrorLog();
}

// Every untagged FETCH answer's attributes, in order.
template <typename Visit>
void for_each_fetch(const Parser::response& response, Visit visit) {
    for (const auto* data : response.continue_req_or_response_data()) {
        const auto* rd = data->response_data();
        if (!rd || !rd->message_data() || rd->message_data()->type() != Parser::message_data::FETCH) continue;
        if (const auto* attributes = rd->message_data()->msg_att()) visit(*attributes);
    }
}

// UID, flags, size, MODSEQ and the one body section of a FETCH answer.
struct FetchedMessage {
    std::int64_t uid = 0, size = 0, modseq = 0;
    int flags = 0;
    std::string section;
};

FetchedMessage read_fetch(const Parser::msg_att& attributes) {
    FetchedMessage m;
    for (auto* item : attributes.items()) {
        switch (item->type()) {
            case Parser::msg_att_item::UID: m.uid = static_cast<std::int64_t>(item->unique_id()->value()); break;
            case Parser::msg_att_item::FLAGS:
                m.flags = store_flags(imap::IMAPUtils::messageFlagsFromFlags(item->flag_list()));
                break;
            case Parser::msg_att_item::RFC822_SIZE: m.size = static_cast<std::int64_t>(item->number()->value()); break;
            case Parser::msg_att_item::MODSEQ:
                m.modseq = static_cast<std::int64_t>(item->mod_sequence_value()->value());
                break;
            case Parser::msg_att_item::BODY_SECTION: m.section = item->nstring()->value(); break;
            default: break;
        }
    }
    return m;
}

}  // namespace

ImapMailbox::ImapMailbox(vmime::net::store& store, const std::string& path, Mode mode) : mode_(mode) {
    auto& imap_store = dynamic_cast<imap::IMAPStore&>(store);
    connection_ = imap_store.getConnection();
    condstore_ = connection_->hasCapability("CONDSTORE");
    const std::string verb = mode == Mode::ReadOnly ? "EXAMINE" : "SELECT";
    const auto response = run(verb + " " + mailbox_name(path) + (condstore_ ? " (CONDSTORE)" : ""), verb);
    open_ = true;

    for (const auto* data : response->continue_req_or_response_data()) {
        const auto* rd = data->response_data();
        if (!rd) continue;
        if (const auto* mailbox = rd->mailbox_data())
            if (mailbox->type() == Parser::mailbox_data::EXISTS && mailbox->number())
                exists_ = static_cast<std::int64_t>(mailbox->number()->value());
        const auto* state = rd->resp_cond_state();
        const auto* code = state && state->resp_text() ? state->resp_text()->resp_text_code() : nullptr;
        if (!code) continue;
        switch (code->type()) {
            case Parser::resp_text_code::UIDVALIDITY:
                uidvalidity_ = static_cast<std::int64_t>(code->nz_number()->value());
                break;
            case Parser::resp_text_code::UIDNEXT: uidnext_ = static_cast<std::int64_t>(code->nz_number()->value()); break;
            case Parser::resp_text_code::HIGHESTMODSEQ:
                highest_modseq_ = static_cast<std::int64_t>(code->mod_sequence_value()->value());
                break;
            case Parser::resp_text_code::NOMODSEQ: condstore_ = false; break;
            default: break;
        }
    }
    if (highest_modseq_ == 0) condstore_ = false;
}

void ImapMailbox::close() {
    if (!open_) return;
    open_ = false;
    if (connection_->hasCapability("UNSELECT")) run("UNSELECT", "UNSELECT");
    else if (mode_ == Mode::ReadOnly) run("CLOSE", "CLOSE");  // after EXAMINE, CLOSE never expunges
    else {
        // CLOSE after SELECT would expunge; selecting a mailbox read-only and closing that does not.
        run("EXAMINE INBOX", "EXAMINE");
        run("CLOSE", "CLOSE");
    }
}

ImapMailbox::~ImapMailbox() {
    // A failure leaves the connection to be dropped by the caller (MailService::abandon); only a
    // mailbox left open on a healthy path is closed here.
    if (open_ && !std::uncaught_exceptions()) {
        try {
            close();
        } catch (const std::exception& e) {
            spdlog::warn("could not leave the IMAP mailbox: {}", e.what());
        }
    }
}

ImapMailbox::Response ImapMailbox::run(const std::string& command, const std::string& verb) {
    imap::IMAPCommand::createCommand(command)->send(connection_);
    Response response(connection_->readResponse());
    if (!ok(*response)) throw vmime::exceptions::command_error(verb, server_words(*response));
    return response;
}

std::string ImapMailbox::mailbox_name(const std::string& path) const {
    return imap::IMAPUtils::quoteString(
        imap::IMAPUtils::pathToString(connection_->hierarchySeparator(), folder_path(path)));
}

std::vector<std::int64_t> ImapMailbox::uids_from(std::int64_t from) {
    const auto response = run("UID SEARCH UID " + std::to_string(std::max<std::int64_t>(from, 1)) + ":*", "UID SEARCH");
    std::vector<std::int64_t> out;
    for (const auto* data : response->continue_req_or_response_data()) {
        const auto* rd = data->response_data();
        if (!rd || !rd->mailbox_data() || rd->mailbox_data()->type() != Parser::mailbox_data::SEARCH) continue;
        for (const auto* n : rd->mailbox_data()->search_nz_number_list()) {
            const auto uid = static_cast<std::int64_t>(n->value());
            // "n:*" names the last message even when its UID is below n (RFC 3501 §6.4.8).
            if (uid >= from) out.push_back(uid);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<ServerMessage> ImapMailbox::fetch_headers(const std::vector<std::int64_t>& uids) {
    std::vector<ServerMessage> out;
    if (uids.empty()) return out;
    const auto response = run("UID FETCH " + uid_set_text(uids) + " (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER]" +
                                  (condstore_ ? " MODSEQ)" : ")"),
                              "UID FETCH");
    out.reserve(uids.size());
    for_each_fetch(*response, [&](const Parser::msg_att& attributes) {
        auto m = read_fetch(attributes);
        if (m.uid == 0 || !std::binary_search(uids.begin(), uids.end(), m.uid)) return;  // unsolicited
        ServerMessage row;
        row.uid = m.uid;
        row.flags = m.flags;
        row.size = m.size;
        row.modseq = m.modseq;
        row.header_bytes = std::move(m.section);
        out.push_back(std::move(row));
    });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.uid < b.uid; });
    return out;
}

std::vector<FlagUpdate> ImapMailbox::fetch_flags(std::int64_t first, std::int64_t last, std::int64_t changed_since) {
    std::string command = "UID FETCH " + std::to_string(first) + ":" + std::to_string(last) + " (UID FLAGS" +
                          (condstore_ ? " MODSEQ)" : ")");
    if (condstore_ && changed_since > 0) command += " (CHANGEDSINCE " + std::to_string(changed_since) + ")";
    const auto response = run(command, "UID FETCH");
    std::vector<FlagUpdate> out;
    for_each_fetch(*response, [&](const Parser::msg_att& attributes) {
        const auto m = read_fetch(attributes);
        if (m.uid < first || m.uid > last) return;  // an unsolicited update of another message
        out.push_back(FlagUpdate{m.uid, m.flags, m.modseq});
    });
    return out;
}

std::map<std::int64_t, std::string> ImapMailbox::fetch_bodies(const std::vector<std::int64_t>& uids) {
    std::map<std::int64_t, std::string> out;
    if (uids.empty()) return out;
    const auto response = run("UID FETCH " + uid_set_text(uids) + " (UID BODY.PEEK[])", "UID FETCH");
    for_each_fetch(*response, [&](const Parser::msg_att& attributes) {
        auto m = read_fetch(attributes);
        if (m.uid != 0 && std::binary_search(uids.begin(), uids.end(), m.uid)) out[m.uid] = std::move(m.section);
    });
    return out;
}

void ImapMailbox::store_flags(std::int64_t uid, int add, int remove) {
    const auto list = [](int flags) {
        std::string text;
        for (const auto& f : imap::IMAPUtils::messageFlagList(vmime_flags(flags))) text += (text.empty() ? "" : " ") + f;
        return "(" + text + ")";
    };
    if (add) run("UID STORE " + std::to_string(uid) + " +FLAGS.SILENT " + list(add), "UID STORE");
    if (remove) run("UID STORE " + std::to_string(uid) + " -FLAGS.SILENT " + list(remove), "UID STORE");
}

std::optional<std::int64_t> ImapMailbox::copied_uid(const Response& response) const {
    const auto* done = response->response_done();
    const auto* tagged = done ? done->response_tagged() : nullptr;
    const auto* text = tagged && tagged->resp_cond_state() ? tagged->resp_cond_state()->resp_text() : nullptr;
    if (const auto* code = text ? text->resp_text_code() : nullptr)
        if (code->type() == Parser::resp_text_code::COPYUID && code->uid_set2())
            return first_uid(imap::IMAPUtils::buildMessageSet(code->uid_set2()));
    // UID MOVE sends COPYUID in an untagged OK before the tagged one (RFC 6851 §4.3).
    for (const auto* data : response->continue_req_or_response_data()) {
        const auto* rd = data->response_data();
        const auto* state = rd ? rd->resp_cond_state() : nullptr;
        const auto* code = state && state->resp_text() ? state->resp_text()->resp_text_code() : nullptr;
        if (code && code->type() == Parser::resp_text_code::COPYUID && code->uid_set2())
            return first_uid(imap::IMAPUtils::buildMessageSet(code->uid_set2()));
    }
    return std::nullopt;
}

std::optional<std::int64_t> ImapMailbox::move(std::int64_t uid, const std::string& target_path) {
    const auto id = std::to_string(uid);
    if (connection_->hasCapability("MOVE"))
        return copied_uid(run("UID MOVE " + id + " " + mailbox_name(target_path), "UID MOVE"));
    auto new_uid = copied_uid(run("UID COPY " + id + " " + mailbox_name(target_path), "UID COPY"));
    remove(uid);
    return new_uid;
}

void ImapMailbox::remove(std::int64_t uid) {
    const auto id = std::to_string(uid);
    run("UID STORE " + id + " +FLAGS.SILENT (\\Deleted)", "UID STORE");
    if (connection_->hasCapability("UIDPLUS")) run("UID EXPUNGE " + id, "UID EXPUNGE");
    else spdlog::info("the server has no UID EXPUNGE: message {} is marked deleted and left for the next expunge", uid);
}

}  // namespace tern::mail::detail
