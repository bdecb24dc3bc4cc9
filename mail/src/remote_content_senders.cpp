#include "tern/mail/remote_content_senders.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace tern::mail {
namespace {

std::string key_for(std::string_view address) {
    // Addresses compare without case (the domain always, the local part in practice).
    std::string key = "reader.remote_content.";
    for (char c : address) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return key;
}

}  // namespace

bool remote_content_allowed(Database& db, std::string_view sender_address) {
    if (sender_address.empty()) return false;
    auto st = db.prepare("SELECT 1 FROM settings WHERE key = ?1 AND value = 'allow'");
    st.bind(1, key_for(sender_address));
    return st.step();
}

void allow_remote_content(Database& db, std::string_view sender_address) {
    if (sender_address.empty()) return;
    auto st = db.prepare("INSERT INTO settings(key, value) VALUES (?1, 'allow') "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    st.bind(1, key_for(sender_address));
    st.step();
}

void forbid_remote_content(Database& db, std::string_view sender_address) {
    auto st = db.prepare("DELETE FROM settings WHERE key = ?1");
    st.bind(1, key_for(sender_address));
    st.step();
}

}  // namespace tern::mail
