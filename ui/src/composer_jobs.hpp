// What the composer asks its workers to do, as plain functions over the worker's profile: read
// what a composer starts from, download an original's body, write a draft, queue the message and
// send the account's outbox. No windows here: composer_frame.cpp runs these through Worker::run.
#pragma once

#include "tern/accounts/mail_profile.hpp"
#include "tern/core/cancellation.hpp"
#include "tern/mail/compose.hpp"
#include "tern/mail/drafts.hpp"
#include "tern/mail/outbox.hpp"
#include "tern/mail/parsed_message.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tern::ui {

// What the composer starts from.
struct ComposeStart {
    enum class Kind { New, Reply, ReplyAll, Forward, Mailto, Draft };
    Kind kind = Kind::New;
    std::int64_t id = 0;  // Reply, ReplyAll, Forward: the stored message (messages.id); Draft: drafts.id, 0 = newest
    std::string mailto;   // Mailto: the whole link, "mailto:..."

    static ComposeStart new_message() { return {}; }
    static ComposeStart reply(std::int64_t message_id) { return {Kind::Reply, message_id, {}}; }
    static ComposeStart reply_all(std::int64_t message_id) { return {Kind::ReplyAll, message_id, {}}; }
    static ComposeStart forward(std::int64_t message_id) { return {Kind::Forward, message_id, {}}; }
    static ComposeStart from_mailto(std::string uri) { return {Kind::Mailto, 0, std::move(uri)}; }
    // The account's saved draft `draft_id`, or its newest draft when 0 (a new message when none).
    static ComposeStart draft(std::int64_t draft_id = 0) { return {Kind::Draft, draft_id, {}}; }
};

namespace composer {

struct StartData {
    std::string from;  // "Name <address>" of the account
    std::vector<std::string> self;
    std::int64_t draft_id = 0;
    mail::ComposeFields fields;                   // a forward's or a draft's
    std::optional<mail::ParsedMessage> original;  // a reply's: quoted on the UI thread in its words
    bool needs_body = false;                      // the original's body is on the server only
};

// `forward_intro` is the translated first line of a forwarded text. With `body_tried` false, a
// reply or forward of a message whose body is not stored only says so (needs_body).
StartData read_start(accounts::MailProfile& profile, std::int64_t account_id, const ComposeStart& start,
                     const std::string& forward_intro, bool body_tried);
// Downloads the body of stored message `message_id` over IMAP (bodies on demand).
void download_original(accounts::MailProfile& profile, std::int64_t account_id, std::int64_t message_id,
                       std::shared_ptr<CancelToken> cancel);
// Saves the draft and returns its id; empty fields remove it (returns 0).
std::int64_t write_draft(accounts::MailProfile& profile, std::int64_t account_id, std::int64_t draft_id,
                         const mail::ComposeFields& fields);
// queue_message, then the copies of a forwarded message's files go: the outbox holds them now.
mail::QueuedMessage queue(accounts::MailProfile& profile, std::int64_t account_id, const std::string& from,
                          const mail::ComposeFields& fields, std::int64_t draft_id);

struct SendOutcome {
    std::optional<mail::OutboxEntry> entry;  // nullopt: sent, it left the outbox
    std::optional<Error> stopped;            // why the round stopped before this message went
};
// Sends the account's due outbox messages and says where `outbox_id` is now.
SendOutcome send(accounts::MailProfile& profile, std::int64_t account_id, std::int64_t outbox_id,
                 std::shared_ptr<CancelToken> cancel);

// A copy of a forwarded message's file, made by read_start in the profile's draft-files folder.
bool is_forwarded_file(const std::filesystem::path& profile_dir, const std::filesystem::path& file);

}  // namespace composer
}  // namespace tern::ui
