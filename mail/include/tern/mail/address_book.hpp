// The addresses a person has written to or heard from, for completion in the composer: read once
// from the store's envelopes (senders, To and Cc of every message of the account), most used and
// most recent first, then matched in memory by the start of the address or of a word of the name.
#pragma once

#include "tern/core/database.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tern::mail {

struct KnownAddress {
    std::string name;     // the most recent display name seen with it; may be empty
    std::string address;  // as seen most recently
    std::int64_t uses = 0;       // messages it appears in
    std::int64_t last_used = 0;  // newest such message's date (Unix seconds)
};

// "Name <address>", or the address alone; names with specials are quoted.
std::string format_known_address(const KnownAddress& known);

class AddressBook {
public:
    AddressBook() = default;
    // One account's addresses (all accounts when account_id is 0), without those in `exclude`.
    static AddressBook load(Database& db, std::int64_t account_id, const std::vector<std::string>& exclude = {});

    // Up to `limit` addresses whose address or a word of whose name starts with `typed` (no case),
    // best first. Empty for an empty `typed`.
    std::vector<KnownAddress> complete(std::string_view typed, std::size_t limit = 10) const;
    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        KnownAddress known;
        std::vector<std::string> keys;  // lower-case: the address, then the words of the name
    };
    std::vector<Entry> entries_;  // best first
};

}  // namespace tern::mail
