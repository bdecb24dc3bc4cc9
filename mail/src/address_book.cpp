#include "tern/mail/address_book.hpp"

#include "tern/mail/compose.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace tern::mail {
namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string trim(std::string_view text, std::string_view chars = " \t\"'") {
    const auto first = text.find_first_not_of(chars);
    if (first == std::string_view::npos) return {};
    return std::string(text.substr(first, text.find_last_not_of(chars) - first + 1));
}

// "Name <addr>" or "addr" into its two halves.
std::pair<std::string, std::string> name_and_address(std::string_view mailbox) {
    const auto open = mailbox.rfind('<');
    const auto close = open == std::string_view::npos ? open : mailbox.find('>', open);
    if (close == std::string_view::npos) return {{}, trim(mailbox, " \t")};
    return {trim(mailbox.substr(0, open)), trim(mailbox.substr(open + 1, close - open - 1), " \t")};
}

struct Tally {
    KnownAddress known;
    std::int64_t name_date = -1;  // the date of the message that gave the name
};

void count(std::unordered_map<std::string, Tally>& tallies, const std::string& name, const std::string& address,
           std::int64_t uses, std::int64_t date) {
    if (address.find('@') == std::string::npos) return;
    auto& t = tallies[lower(address)];
    t.known.uses += uses;
    if (date >= t.known.last_used || t.known.address.empty()) {
        t.known.last_used = std::max(t.known.last_used, date);
        t.known.address = address;
    }
    if (!name.empty() && name != address && date >= t.name_date) {
        t.known.name = name;
        t.name_date = date;
    }
}

std::vector<std::string> keys_of(const KnownAddress& known) {
    std::vector<std::string> keys{lower(known.address)};
    std::string word;
    for (const char c : lower(known.name) + " ") {
        if (c == ' ' || c == ',' || c == '"' || c == '(' || c == ')' || c == '.' || c == '-') {
            if (!word.empty()) keys.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    return keys;
}

}  // namespace

std::string format_known_address(const KnownAddress& known) {
    if (known.name.empty()) return known.address;
    const bool special = known.name.find_first_of(",;<>@\"()[]:\\") != std::string::npos;
    std::string name = known.name;
    if (special) {
        std::string quoted = "\"";
        for (const char c : name) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
        }
        name = quoted + "\"";
    }
    return name + " <" + known.address + ">";
}

AddressBook AddressBook::load(Database& db, std::int64_t account_id, const std::vector<std::string>& exclude) {
    std::unordered_map<std::string, Tally> tallies;
    // Grouped in SQLite first: a mailbox's thousands of messages from one sender, or to the same
    // list of people, come back as one row each. The bare name column is the newest row's (max).
    const std::string where = account_id ? " WHERE f.account_id = ?1" : "";
    auto senders = db.prepare("SELECT m.from_name, m.from_addr, count(*), max(m.date) FROM messages m JOIN folders f "
                              "ON f.id = m.folder_id" + where + " GROUP BY lower(m.from_addr)");
    if (account_id) senders.bind(1, account_id);
    while (senders.step())
        count(tallies, senders.column_text(0), senders.column_text(1), senders.column_int(2), senders.column_int(3));
    auto recipients = db.prepare("SELECT m.to_list, m.cc_list, count(*), max(m.date) FROM messages m JOIN folders f "
                                 "ON f.id = m.folder_id" + where + " GROUP BY m.to_list, m.cc_list");
    if (account_id) recipients.bind(1, account_id);
    while (recipients.step()) {
        for (const auto& list : {recipients.column_text(0), recipients.column_text(1)})
            for (const auto& mailbox : split_addresses(list)) {
                const auto [name, address] = name_and_address(mailbox);
                count(tallies, name, address, recipients.column_int(2), recipients.column_int(3));
            }
    }
    for (const auto& e : exclude) tallies.erase(address_key(e));

    AddressBook book;
    book.entries_.reserve(tallies.size());
    for (auto& [key, tally] : tallies) book.entries_.push_back({std::move(tally.known), {}});
    std::sort(book.entries_.begin(), book.entries_.end(), [](const Entry& a, const Entry& b) {
        if (a.known.uses != b.known.uses) return a.known.uses > b.known.uses;
        if (a.known.last_used != b.known.last_used) return a.known.last_used > b.known.last_used;
        return a.known.address < b.known.address;
    });
    for (auto& entry : book.entries_) entry.keys = keys_of(entry.known);
    return book;
}

std::vector<KnownAddress> AddressBook::complete(std::string_view typed, std::size_t limit) const {
    std::vector<KnownAddress> out;
    const auto prefix = lower(trim(typed, " \t\"'<"));
    if (prefix.empty()) return out;
    for (const auto& entry : entries_) {
        if (out.size() >= limit) break;
        const bool match = std::any_of(entry.keys.begin(), entry.keys.end(),
                                       [&](const std::string& key) { return key.compare(0, prefix.size(), prefix) == 0; });
        if (match) out.push_back(entry.known);
    }
    return out;
}

}  // namespace tern::mail
