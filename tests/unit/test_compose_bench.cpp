// How long the composer waits for address completion on a big store: AddressBook::load over
// 100 000 messages (2 000 correspondents, a few writing most of the mail, mailing lists in Cc),
// then completions. Hidden: run with `tern_unit_tests "[compose-bench]"`; prints its timings.
#include "temp_dir.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/address_book.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <random>

using namespace tern;
using namespace tern::mail;

TEST_CASE("address completion over 100 000 stored messages", "[.][compose-bench]") {
    test::TempDir dir;
    Profile profile = Profile::open(dir.path());
    auto& db = profile.db();
    db.exec("INSERT INTO accounts (email, provider, mode, created_at) VALUES ('me@tern.test', 'custom', 'password', 0)");
    const auto account = db.last_insert_rowid();
    db.exec("INSERT INTO folders (account_id, path, role) VALUES (" + std::to_string(account) + ", 'INBOX', 'inbox')");
    const auto inbox = db.last_insert_rowid();

    constexpr int messages = 100000, people = 2000;
    std::mt19937 random(42);
    std::vector<double> weights;
    for (int i = 1; i <= people; ++i) weights.push_back(1.0 / i);  // Zipf: a few write most of the mail
    std::discrete_distribution<int> who(weights.begin(), weights.end());
    const auto person = [](int i) { return "Person " + std::to_string(i) + " <person" + std::to_string(i) + "@corp" + std::to_string(i % 50) + ".test>"; };
    {
        Transaction t(db);
        auto insert = db.prepare("INSERT INTO messages (folder_id, uid, from_name, from_addr, to_list, cc_list, date) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?)");
        for (int i = 1; i <= messages; ++i) {
            const int from = who(random) + 1;
            const std::string to = "me@tern.test" + (i % 3 ? "" : ", " + person(who(random) + 1));
            const std::string cc = i % 5 ? "" : "team-" + std::to_string(i % 20) + "@lists.test, " + person(who(random) + 1);
            insert.bind(1, inbox).bind(2, static_cast<std::int64_t>(i)).bind(3, "Person " + std::to_string(from))
                .bind(4, "person" + std::to_string(from) + "@corp" + std::to_string(from % 50) + ".test")
                .bind(5, to).bind(6, cc).bind(7, static_cast<std::int64_t>(1600000000 + i * 60));
            insert.run();
            insert.reset();
        }
        t.commit();
    }

    using Clock = std::chrono::steady_clock;
    const auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    auto started = Clock::now();
    const auto book = AddressBook::load(db, account, {"me@tern.test"});
    const double load_ms = ms(Clock::now() - started);

    std::vector<std::string> prefixes{"p", "pe", "person1", "person19", "team", "per", "corp", "x"};
    std::size_t found = 0;
    constexpr int rounds = 1000;
    started = Clock::now();
    for (int r = 0; r < rounds; ++r)
        for (const auto& p : prefixes) found += book.complete(p, 8).size();
    const double complete_us = ms(Clock::now() - started) * 1000.0 / (rounds * prefixes.size());

    std::cout << "address book: " << messages << " messages, " << book.size() << " addresses, load " << load_ms
              << " ms, complete() " << complete_us << " us on average (" << found << " offers)\n";
    CHECK(book.size() > 1000);
    CHECK(book.complete("person1", 8).at(0).address == "person1@corp1.test");  // the most frequent first
}
