#include "tern/mail/compose.hpp"

#include <algorithm>
#include <cctype>

namespace tern::mail {
namespace {

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

bool ComposeFields::empty() const {
    const auto blank = [](const std::string& s) { return trim(s).empty(); };
    return to.empty() && cc.empty() && bcc.empty() && blank(subject) && blank(body) && attachments.empty();
}

bool operator==(const ComposeFields& a, const ComposeFields& b) {
    return a.to == b.to && a.cc == b.cc && a.bcc == b.bcc && a.subject == b.subject && a.body == b.body &&
           a.attachments == b.attachments && a.in_reply_to == b.in_reply_to && a.references == b.references;
}

std::vector<std::string> split_addresses(std::string_view typed) {
    std::vector<std::string> out;
    std::string current;
    bool quoted = false, escaped = false;
    int angle = 0;
    const auto flush = [&] {
        auto piece = trim(current);
        if (!piece.empty()) out.push_back(std::move(piece));
        current.clear();
    };
    for (const char c : typed) {
        if (escaped) {
            escaped = false;
        } else if (quoted && c == '\\') {
            escaped = true;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && c == '<') {
            ++angle;
        } else if (!quoted && c == '>' && angle > 0) {
            --angle;
        } else if (!quoted && angle == 0 && (c == ',' || c == ';')) {
            flush();
            continue;
        }
        current += c;
    }
    flush();
    return out;
}

std::string join_addresses(const std::vector<std::string>& addresses) {
    std::string out;
    for (const auto& a : addresses) out += (out.empty() ? "" : ", ") + a;
    return out;
}

std::string address_key(std::string_view mailbox) {
    const auto open = mailbox.rfind('<');
    if (open != std::string_view::npos) {
        const auto close = mailbox.find('>', open);
        if (close != std::string_view::npos) return lower(trim(mailbox.substr(open + 1, close - open - 1)));
    }
    return lower(trim(mailbox));
}

MessageDraft to_message_draft(const ComposeFields& fields, const std::string& from) {
    MessageDraft draft;
    draft.from = from;
    draft.to = fields.to;
    draft.cc = fields.cc;
    draft.bcc = fields.bcc;
    draft.subject = fields.subject;
    draft.text = fields.body;
    draft.attachments = fields.attachments;
    draft.in_reply_to = fields.in_reply_to;
    draft.references = fields.references;
    return draft;
}

}  // namespace tern::mail
