#include "tern/mail/reply_builder.hpp"

#include "tern/core/error.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <set>

namespace tern::mail {
namespace {

bool starts_with_no_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

std::string_view trim_left(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    return text;
}

// "Re:", "RE :", "Re[2]:", "AW:", "SV:" (German and Scandinavian clients answer with these).
bool has_prefix(std::string_view subject, std::initializer_list<std::string_view> words) {
    subject = trim_left(subject);
    for (const auto word : words) {
        if (!starts_with_no_case(subject, word)) continue;
        auto rest = subject.substr(word.size());
        if (!rest.empty() && rest.front() == '[') {
            const auto close = rest.find(']');
            if (close == std::string_view::npos) continue;
            rest.remove_prefix(close + 1);
        }
        rest = trim_left(rest);
        if (!rest.empty() && rest.front() == ':') return true;
    }
    return false;
}

std::string mailbox_text(const Mailbox& m) {
    if (m.name.empty() || m.name == m.address) return m.address;
    return m.name + " <" + m.address + ">";
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Adds the mailboxes not already in `seen` (nor empty) to `out`.
void add_new(std::vector<std::string>& out, const std::vector<Mailbox>& from, std::set<std::string>& seen) {
    for (const auto& m : from) {
        const auto key = lower(m.address);
        if (key.empty() || !seen.insert(key).second) continue;
        out.push_back(mailbox_text(m));
    }
}

std::string safe_filename(std::string name) {
    for (auto& c : name)
        if (c == '/' || c == '\\' || c == ':' || static_cast<unsigned char>(c) < 0x20) c = '_';
    while (!name.empty() && (name.front() == '.' || name.front() == ' ')) name.erase(name.begin());
    return name.empty() ? "attachment" : name.substr(0, 200);
}

std::string date_text(std::int64_t date) {
    if (date <= 0) return {};
    const auto t = static_cast<std::time_t>(date);
    std::tm local{};
    localtime_r(&t, &local);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M", &local);
    return buffer;
}

}  // namespace

std::string reply_subject(std::string_view subject) {
    if (has_prefix(subject, {"re", "aw", "sv"})) return std::string(trim_left(subject));
    return "Re: " + std::string(trim_left(subject));
}

std::string forward_subject(std::string_view subject) {
    if (has_prefix(subject, {"fwd", "fw"})) return std::string(trim_left(subject));
    return "Fwd: " + std::string(trim_left(subject));
}

std::string quote_lines(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    std::string out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        auto line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out += line.empty() ? ">" : (line.front() == '>' ? ">" : "> ");
        out += line;
        out += '\n';
        start = end + 1;
    }
    return out;
}

std::string default_attribution(std::int64_t date, const std::string& sender) {
    const auto when = date_text(date);
    return when.empty() ? sender + " wrote:" : "On " + when + ", " + sender + " wrote:";
}

std::string sender_of(const ParsedMessage& original) {
    return original.from.empty() ? std::string() : mailbox_text(original.from.front());
}

ComposeFields build_reply(const ParsedMessage& original, ReplyKind kind, const std::vector<std::string>& self,
                          const std::string& attribution) {
    ComposeFields fields;
    fields.subject = reply_subject(original.subject);
    std::set<std::string> seen;
    for (const auto& me : self) seen.insert(address_key(me));
    const auto is_self = [&](const std::vector<Mailbox>& list) {
        return list.size() == 1 && seen.count(lower(list.front().address));
    };
    // An answer to one's own message (from Sent) goes to its recipients again.
    const bool own = is_self(original.from) && original.reply_to.empty();
    const auto& answer_to = own ? original.to : (original.reply_to.empty() ? original.from : original.reply_to);
    add_new(fields.to, answer_to, seen);
    if (kind == ReplyKind::ReplyAll) {
        if (!own) add_new(fields.to, original.to, seen);
        add_new(fields.cc, original.cc, seen);
    }
    if (!original.message_id.empty()) {
        fields.in_reply_to = original.message_id;
        fields.references = original.references;
        if (fields.references.empty() && !original.in_reply_to.empty()) fields.references.push_back(original.in_reply_to);
        fields.references.push_back(original.message_id);
    }
    fields.body = "\n\n" + attribution + "\n" + quote_lines(original.text_body);
    return fields;
}

ComposeFields build_forward(const ParsedMessage& original, const std::string& intro,
                            std::vector<std::filesystem::path> attachments) {
    ComposeFields fields;
    fields.subject = forward_subject(original.subject);
    std::string block = "\n\n" + intro + "\n";
    block += "From: " + format_mailboxes(original.from) + "\n";
    if (original.date > 0) block += "Date: " + date_text(original.date) + "\n";
    block += "Subject: " + original.subject + "\n";
    if (!original.to.empty()) block += "To: " + format_mailboxes(original.to) + "\n";
    if (!original.cc.empty()) block += "Cc: " + format_mailboxes(original.cc) + "\n";
    fields.body = block + "\n" + original.text_body;
    if (!fields.body.empty() && fields.body.back() != '\n') fields.body += '\n';
    fields.attachments = std::move(attachments);
    return fields;
}

std::vector<std::filesystem::path> save_attachments(std::string_view raw, const std::filesystem::path& dir) {
    const auto parsed = parse_message(raw);
    std::vector<std::filesystem::path> files;
    std::set<std::string> names;
    for (std::size_t i = 0; i < parsed.attachments.size(); ++i) {
        if (parsed.attachments[i].is_inline && !parsed.attachments[i].content_id.empty()) continue;  // the HTML's images
        const auto content = attachment_content(raw, i);
        if (!content) continue;
        auto name = safe_filename(parsed.attachments[i].filename);
        const auto stem = std::filesystem::u8path(name).stem().u8string();
        const auto ext = std::filesystem::u8path(name).extension().u8string();
        for (int n = 2; !names.insert(lower(name)).second; ++n) name = stem + " (" + std::to_string(n) + ")" + ext;
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        const auto file = dir / std::filesystem::u8path(name);
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(content->data(), static_cast<std::streamsize>(content->size()));
        out.close();
        if (!out) throw Error(ErrorCategory::Storage, "Tern cannot write the attachment " + file.string() + ".");
        files.push_back(file);
    }
    return files;
}

}  // namespace tern::mail
