// The MIME structure walk. Tern splits entities and multiparts itself instead of calling
// vmime::message::parse: vmime 0.9.2 recurses without a bound on nested groups and multiparts and
// reads past a stack buffer when it guesses a missing boundary, and its address parser looks up
// the local host name (DNS) for an address without a domain. Those are not acceptable for bytes
// from the network. vmime still decodes the RFC 2047 words and converts charsets (mime_text.cpp).
#include "tern/mail/parsed_message.hpp"

#include "mime_header.hpp"
#include "mime_text.hpp"
#include "tern/core/error.hpp"
#include "tern/mail/html_to_text.hpp"
#include "tern/mail/mail_library.hpp"

#include <cstring>
#include <optional>
#include <string>
#include <tuple>

namespace tern::mail {
namespace {

constexpr int max_depth = 32;           // nested multiparts; deeper ones are ignored
constexpr std::size_t max_parts = 1000;  // body parts in one message

struct Texts {
    std::string plain, html;
};

void append_text(std::string& to, std::string&& text, std::string_view separator) {
    if (mime::trim(text).empty()) return;
    if (!to.empty()) to += separator;
    to += text;
}

// The parts between the delimiter lines of a multipart body (RFC 2046 §5.1.1). A missing close
// delimiter ends the last part at the end of the body; preamble and epilogue are dropped.
std::vector<std::string_view> split_multipart(std::string_view body, const std::string& boundary) {
    std::vector<std::string_view> parts;
    const std::string delimiter = "--" + boundary;
    const std::size_t n = body.size();
    std::size_t pos = 0;
    std::size_t part_start = std::string_view::npos;
    while (pos < n) {
        const char* nl = static_cast<const char*>(std::memchr(body.data() + pos, '\n', n - pos));
        const std::size_t eol = nl ? static_cast<std::size_t>(nl - body.data()) : n;
        std::string_view line = body.substr(pos, eol - pos);
        if (line.compare(0, delimiter.size(), delimiter) == 0) {
            std::string_view rest = line.substr(delimiter.size());
            const bool closing = rest.compare(0, 2, "--") == 0;
            if (closing) rest.remove_prefix(2);
            if (mime::trim(rest).empty()) {
                if (part_start != std::string_view::npos) {
                    // The line break before a delimiter belongs to the delimiter.
                    std::size_t end = pos;
                    if (end > part_start && body[end - 1] == '\n') --end;
                    if (end > part_start && body[end - 1] == '\r') --end;
                    parts.push_back(body.substr(part_start, end - part_start));
                    if (parts.size() >= max_parts) return parts;
                }
                if (closing) return parts;
                part_start = nl ? eol + 1 : n;
            }
        }
        if (!nl) break;
        pos = eol + 1;
    }
    if (part_start != std::string_view::npos && part_start <= n) parts.push_back(body.substr(part_start));
    return parts;
}

std::string strip_angle_brackets(std::string_view id) {
    id = mime::trim(id);
    if (!id.empty() && id.front() == '<') id.remove_prefix(1);
    if (!id.empty() && id.back() == '>') id.remove_suffix(1);
    return mime::utf8_or_cp1252(mime::trim(id));
}

// A filename fit for metadata: the last path component, no control characters.
std::string clean_filename(std::string_view name) {
    if (const auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) name.remove_prefix(slash + 1);
    std::string out;
    for (char c : name)
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out += c;
    return std::string(mime::trim(out));
}

class Walker {
public:
    explicit Walker(ParsedMessage& message) : message_(message) {}
    // Keep the decoded bytes of the attachment with this index (in message.attachments order).
    Walker(ParsedMessage& message, std::size_t wanted) : message_(message), wanted_(wanted) {}
    std::optional<std::string>& wanted_content() { return wanted_content_; }

    Texts walk(const mime::Entity& entity, int depth, std::string_view default_type) {
        if (++parts_ > max_parts) return {};
        const auto content_type = entity.field("content-type");
        auto [type, params] = content_type ? mime::parse_parameterized(*content_type)
                                           : std::pair<std::string, mime::Parameters>{std::string(default_type), {}};
        if (type.find('/') == std::string::npos || type.front() == '/') type = "text/plain";  // RFC 2045 §5.2
        if (depth == 0) message_.content_type = type;
        const std::string encoding = entity.field("content-transfer-encoding").value_or("");

        if (type.compare(0, 10, "multipart/") == 0) {
            const std::string* boundary = params.find("boundary");
            if (depth >= max_depth) return {};
            if (boundary && !boundary->empty()) return walk_multipart(entity, depth, type, *boundary);
            type = "text/plain";  // a multipart without a boundary cannot be split: show it as text
        }
        return walk_leaf(entity, type, params, encoding);
    }

private:
    Texts walk_multipart(const mime::Entity& entity, int depth, const std::string& type, const std::string& boundary) {
        const bool alternative = type == "multipart/alternative";
        const std::string_view child_default = type == "multipart/digest" ? "message/rfc822" : "text/plain";
        Texts result;
        auto parts = split_multipart(entity.body, boundary);
        // What was signed is the first part; the signature is no attachment for the reader.
        if (type == "multipart/signed" && parts.size() > 1) parts.resize(1);
        for (auto bytes : parts) {
            Texts child = walk(mime::split_entity(bytes), depth + 1, child_default);
            if (alternative) {
                // Alternatives are in increasing fidelity; each kind is taken once.
                if (result.plain.empty()) result.plain = std::move(child.plain);
                if (result.html.empty()) result.html = std::move(child.html);
            } else {
                append_text(result.plain, std::move(child.plain), "\n\n");
                append_text(result.html, std::move(child.html), "\n");
            }
        }
        return result;
    }

    Texts walk_leaf(const mime::Entity& entity, const std::string& type, const mime::Parameters& params,
                    const std::string& encoding) {
        std::string disposition;
        mime::Parameters disposition_params;
        if (const auto field = entity.field("content-disposition"))
            std::tie(disposition, disposition_params) = mime::parse_parameterized(*field);
        const std::string* filename = disposition_params.find("filename");
        if (!filename || filename->empty()) filename = params.find("name");
        const bool named = filename && !clean_filename(*filename).empty();

        Texts texts;
        if ((type == "text/plain" || type == "text/html") && disposition != "attachment" && !named) {
            const std::string* charset = params.find("charset");
            std::string text = mime::normalize_body_text(
                mime::to_utf8(mime::decode_transfer(entity.body, encoding), charset ? *charset : std::string()));
            (type == "text/plain" ? texts.plain : texts.html) = std::move(text);
            return texts;
        }

        AttachmentInfo info;
        info.mime_type = type;
        info.size = mime::decoded_size(entity.body, encoding);
        info.content_id = strip_angle_brackets(entity.field("content-id").value_or(""));
        info.is_inline = disposition == "inline" || (disposition.empty() && !info.content_id.empty());
        if (named) {
            info.filename = clean_filename(*filename);
        } else if (type == "message/rfc822") {
            const std::string bytes = mime::decode_transfer(entity.body, encoding);
            const auto inner = mime::split_entity(bytes);
            const auto subject = mime::decode_header_text(inner.field("subject").value_or(""));
            info.filename = clean_filename(subject.empty() ? "message" : subject) + ".eml";
        }
        if (!(info.is_inline && !info.content_id.empty())) message_.has_attachments = true;
        if (wanted_ && *wanted_ == message_.attachments.size())
            wanted_content_ = mime::decode_transfer(entity.body, encoding);
        message_.attachments.push_back(std::move(info));
        return texts;
    }

    ParsedMessage& message_;
    std::size_t parts_ = 0;
    std::optional<std::size_t> wanted_;
    std::optional<std::string> wanted_content_;
};

std::vector<Mailbox> addresses(const mime::Entity& entity, std::string_view name, bool all_fields) {
    std::vector<Mailbox> out;
    for (const auto& field : entity.fields) {
        if (field.name != name) continue;
        auto list = mime::parse_address_list(mime::unfold(field.raw_value));
        out.insert(out.end(), std::make_move_iterator(list.begin()), std::make_move_iterator(list.end()));
        if (!all_fields) break;
    }
    return out;
}

std::string first_id(const mime::Entity& entity, std::string_view name) {
    const auto field = entity.field(name);
    if (!field) return {};
    auto ids = mime::parse_message_ids(*field);
    return ids.empty() ? std::string() : std::move(ids.front());
}

}  // namespace

ParsedMessage parse_message(std::string_view rfc5322) {
    if (rfc5322.size() > max_message_bytes)
        throw Error(ErrorCategory::BadInput,
                    "This message is too large to read (" + std::to_string(rfc5322.size() / (1024 * 1024)) +
                        " MB; Tern reads messages up to " + std::to_string(max_message_bytes / (1024 * 1024)) + " MB).",
                    "parse_message: " + std::to_string(rfc5322.size()) + " bytes");
    // vmime's platform handler must be in place before vmime makes its first word, and only the
    // library's one-time initialisation sets it without a race.
    initialise_mail_library();
    ParsedMessage message;
    const auto entity = mime::split_entity(rfc5322);
    message.message_id = first_id(entity, "message-id");
    message.in_reply_to = first_id(entity, "in-reply-to");
    if (const auto references = entity.field("references")) message.references = mime::parse_message_ids(*references);
    message.subject = mime::decode_header_text(entity.field("subject").value_or(""));
    message.from = addresses(entity, "from", false);
    message.to = addresses(entity, "to", true);
    message.cc = addresses(entity, "cc", true);
    message.reply_to = addresses(entity, "reply-to", false);
    message.date = mime::parse_date(entity.field("date").value_or(""));

    Walker walker(message);
    Texts texts = walker.walk(entity, 0, "text/plain");
    message.html_body = std::move(texts.html);
    message.text_body = mime::trim(texts.plain).empty() ? html_to_text(message.html_body) : std::move(texts.plain);
    return message;
}

std::optional<std::string> attachment_content(std::string_view rfc5322, std::size_t index) {
    if (rfc5322.size() > max_message_bytes) return std::nullopt;
    initialise_mail_library();
    ParsedMessage message;
    Walker walker(message, index);
    walker.walk(mime::split_entity(rfc5322), 0, "text/plain");
    return std::move(walker.wanted_content());
}

std::string format_mailboxes(const std::vector<Mailbox>& mailboxes) {
    std::string out;
    for (const auto& box : mailboxes) {
        if (!out.empty()) out += ", ";
        if (box.name.empty()) {
            out += box.address;
        } else if (box.address.empty()) {
            out += box.name;
        } else {
            out += box.name + " <" + box.address + ">";
        }
    }
    return out;
}

}  // namespace tern::mail
