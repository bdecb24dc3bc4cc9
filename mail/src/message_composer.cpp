#include "tern/mail/message_composer.hpp"

#include "tern/core/error.hpp"

#include <vmime/vmime.hpp>

#include <fstream>
#include <random>

namespace tern::mail {
namespace {

vmime::shared_ptr<vmime::mailbox> parse_mailbox(const std::string& text, const char* field) {
    auto address = vmime::make_shared<vmime::mailbox>("");
    address->parse(text);
    const auto& email = address->getEmail();
    // vmime fills in a missing domain itself: the person must have written one.
    if (text.find('@') == std::string::npos || email.isEmpty() || email.getLocalName().getBuffer().empty() ||
        email.getDomainName().getBuffer().empty())
        throw Error(ErrorCategory::BadInput, "\"" + text + "\" in " + field + " is not an email address.");
    return address;
}

std::string bare(const vmime::mailbox& mailbox) { return mailbox.getEmail().toString(); }

std::string new_message_id(const std::string& domain) {
    std::random_device rd;
    std::mt19937_64 random(static_cast<std::uint64_t>(rd()) << 32 | rd());
    static const char* hex = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 24; ++i) id += hex[random() % 16];
    return id + "@" + (domain.empty() ? "tern.invalid" : domain);
}

vmime::addressList addresses(const std::vector<std::string>& list, const char* field, std::vector<std::string>& bare_out) {
    vmime::addressList out;
    for (const auto& text : list) {
        const auto mailbox = parse_mailbox(text, field);
        bare_out.push_back(bare(*mailbox));
        out.appendAddress(mailbox);
    }
    return out;
}

}  // namespace

ComposedMessage compose_message(const MessageDraft& draft) {
    ComposedMessage result;
    const auto from = parse_mailbox(draft.from, "From");
    result.envelope_from = bare(*from);
    if (draft.to.empty() && draft.cc.empty() && draft.bcc.empty())
        throw Error(ErrorCategory::BadInput, "The message has no recipient: add at least one address in To.");

    vmime::messageBuilder builder;
    builder.setExpeditor(*from);
    builder.setRecipients(addresses(draft.to, "To", result.recipients));
    if (!draft.cc.empty()) builder.setCopyRecipients(addresses(draft.cc, "Cc", result.recipients));
    std::vector<std::string> bcc;
    if (!draft.bcc.empty()) addresses(draft.bcc, "Bcc", bcc);
    result.recipients.insert(result.recipients.end(), bcc.begin(), bcc.end());
    builder.setSubject(vmime::text(draft.subject, vmime::charsets::UTF_8));
    builder.getTextPart()->setCharset(vmime::charsets::UTF_8);
    builder.getTextPart()->setText(vmime::make_shared<vmime::stringContentHandler>(draft.text));

    for (const auto& file : draft.attachments) {
        std::ifstream in(file, std::ios::binary);
        if (!in) throw Error(ErrorCategory::BadInput, "Tern cannot read the attachment " + file.string() + ".");
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto attachment = vmime::make_shared<vmime::defaultAttachment>(
            vmime::make_shared<vmime::stringContentHandler>(bytes), vmime::encoding("base64"),
            vmime::mediaType("application/octet-stream"), vmime::text(), vmime::word(file.filename().string(), vmime::charsets::UTF_8));
        builder.appendAttachment(attachment);
    }

    auto message = builder.construct();
    auto header = message->getHeader();
    result.message_id = new_message_id(from->getEmail().getDomainName().getBuffer());
    header->MessageId()->setValue(vmime::messageId("<" + result.message_id + ">"));
    header->Date()->setValue(vmime::datetime::now());
    if (!draft.in_reply_to.empty()) {
        // In-Reply-To holds a sequence of ids in vmime (a single messageId is refused).
        vmime::messageIdSequence answered;
        answered.appendMessageId(vmime::make_shared<vmime::messageId>("<" + draft.in_reply_to + ">"));
        header->InReplyTo()->setValue(answered);
        vmime::messageIdSequence references;
        const auto& thread = draft.references.empty() ? std::vector<std::string>{draft.in_reply_to} : draft.references;
        for (const auto& id : thread) references.appendMessageId(vmime::make_shared<vmime::messageId>("<" + id + ">"));
        header->References()->setValue(references);
    }
    result.bytes = message->generate();
    return result;
}

}  // namespace tern::mail
