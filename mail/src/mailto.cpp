#include "tern/mail/mailto.hpp"

#include "tern/core/error.hpp"

#include <cctype>

namespace tern::mail {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// RFC 6068 §2: "+" is itself (not a space); a "%" without two hex digits stays as written.
std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out += static_cast<char>(high * 16 + low);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// CRLF (what the RFC asks links to carry) and lone CR become \n.
std::string unix_lines(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') {
            out += '\n';
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

void append_addresses(std::vector<std::string>& to, const std::string& decoded) {
    for (auto& a : split_addresses(decoded)) to.push_back(std::move(a));
}

}  // namespace

ComposeFields parse_mailto(std::string_view uri) {
    constexpr std::string_view scheme = "mailto:";
    if (uri.size() < scheme.size() || lower(std::string(uri.substr(0, scheme.size()))) != scheme)
        throw Error(ErrorCategory::BadInput, "\"" + std::string(uri.substr(0, 80)) + "\" is not a mailto: link.");
    uri.remove_prefix(scheme.size());
    if (const auto hash = uri.find('#'); hash != std::string_view::npos) uri = uri.substr(0, hash);

    ComposeFields fields;
    const auto question = uri.find('?');
    append_addresses(fields.to, percent_decode(uri.substr(0, question)));
    if (question == std::string_view::npos) return fields;

    auto query = uri.substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const auto name = lower(percent_decode(pair.substr(0, eq)));
        const auto value = percent_decode(pair.substr(eq + 1));
        if (name == "to") append_addresses(fields.to, value);
        else if (name == "cc") append_addresses(fields.cc, value);
        else if (name == "bcc") append_addresses(fields.bcc, value);
        else if (name == "subject") fields.subject = unix_lines(value);
        else if (name == "body") fields.body = unix_lines(value);
        else if (name == "in-reply-to") {
            auto id = value;
            if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
            fields.in_reply_to = id;
            if (!id.empty()) fields.references = {id};
        }
    }
    return fields;
}

}  // namespace tern::mail
