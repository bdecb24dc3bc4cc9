#include "tern/mail/reader_document.hpp"

#include "tern/core/base64.hpp"

#include <algorithm>
#include <cctype>

namespace tern::mail {
namespace {

// Inline images are embedded up to this many bytes in all; a bigger message shows them as attachments.
constexpr std::size_t max_inline_bytes = 32u * 1024 * 1024;

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Whether the value that starts at `pos` (after optional spaces and a quote) names a network address.
bool remote_value_at(const std::string& html, std::size_t pos) {
    while (pos < html.size() && (std::isspace(static_cast<unsigned char>(html[pos])) || html[pos] == '"' ||
                                 html[pos] == '\'' || html[pos] == '\\'))
        ++pos;
    const std::string_view rest = std::string_view(html).substr(pos);
    return rest.rfind("http:", 0) == 0 || rest.rfind("https:", 0) == 0 || rest.rfind("//", 0) == 0 ||
           rest.rfind("ftp:", 0) == 0;
}

bool any_remote_after(const std::string& html, std::string_view marker, bool attribute) {
    for (auto pos = html.find(marker); pos != std::string::npos; pos = html.find(marker, pos + 1)) {
        std::size_t value = pos + marker.size();
        if (attribute) {
            // An attribute: the marker must start a word (not "data-src") and be followed by "=".
            if (pos > 0 && (std::isalnum(static_cast<unsigned char>(html[pos - 1])) || html[pos - 1] == '-')) continue;
            while (value < html.size() && std::isspace(static_cast<unsigned char>(html[value]))) ++value;
            if (value >= html.size() || html[value] != '=') continue;
            ++value;
        }
        if (remote_value_at(html, value)) return true;
    }
    return false;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
}

std::string escape_attribute(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '"') out += "&quot;";
        else if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else out += c;
    }
    return out;
}

}  // namespace

std::string reader_content_policy(bool allow_remote) {
    const std::string remote = allow_remote ? " http: https:" : "";
    return "default-src 'none'; img-src data:" + remote + "; style-src 'unsafe-inline'" + remote +
           "; font-src data:" + remote + "; form-action 'none'; base-uri 'none'";
}

bool refers_to_remote_content(std::string_view html_text) {
    const std::string html = lower(html_text);
    for (std::string_view attribute : {"src", "background", "srcset", "poster"})
        if (any_remote_after(html, attribute, true)) return true;
    if (any_remote_after(html, "url(", false)) return true;
    if (any_remote_after(html, "@import", false)) return true;
    // <link rel=stylesheet href=...>: the only href a page loads by itself.
    for (auto pos = html.find("<link"); pos != std::string::npos; pos = html.find("<link", pos + 1)) {
        const auto end = html.find('>', pos);
        const std::string element = html.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (any_remote_after(element, "href", true)) return true;
    }
    return false;
}

ReaderDocument reader_document(std::string_view raw, const ParsedMessage& parsed, bool allow_remote) {
    ReaderDocument doc;
    std::string body = parsed.html_body;
    // The images the message carries, referred to as cid:<Content-ID>.
    std::size_t embedded = 0;
    for (std::size_t i = 0; i < parsed.attachments.size(); ++i) {
        const auto& part = parsed.attachments[i];
        if (part.content_id.empty() || part.mime_type.rfind("image/", 0) != 0) continue;
        if (embedded + static_cast<std::size_t>(part.size) > max_inline_bytes) continue;
        if (body.find("cid:" + part.content_id) == std::string::npos &&
            lower(body).find(lower("cid:" + part.content_id)) == std::string::npos)
            continue;
        const auto bytes = attachment_content(raw, i);
        if (!bytes) continue;
        embedded += bytes->size();
        const std::string uri = "data:" + part.mime_type + ";base64," + base64_encode(*bytes);
        replace_all(body, "cid:" + part.content_id, uri);
        replace_all(body, "CID:" + part.content_id, uri);
    }
    doc.has_remote_content = refers_to_remote_content(body);
    doc.html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
               escape_attribute(reader_content_policy(allow_remote)) +
               "\"><meta name=\"referrer\" content=\"no-referrer\"></head><body>" + body + "</body></html>";
    return doc;
}

}  // namespace tern::mail
