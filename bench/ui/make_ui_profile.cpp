// Makes the profile bench/ui/run_ui_bench.py opens: one password account (servers nobody needs,
// the bench starts Tern with --no-sync) whose INBOX holds N messages with headers as mail has them
// (names, subjects, dates over two years, a third unread), stored through MessageStore as a sync
// stores them, so that the folder's indexes and counts are the real ones.
//   tern_bench_make_ui_profile DIR COUNT
#include "tern/accounts/account_repository.hpp"
#include "tern/core/profile.hpp"
#include "tern/mail/message_store.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

using namespace tern;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s DIR COUNT\n", argv[0]);
        return 2;
    }
    const std::int64_t count = std::atoll(argv[2]);
    const auto started = std::chrono::steady_clock::now();
    auto profile = Profile::open(argv[1]);
    accounts::Account account;
    account.email = "bench@example.test";
    account.display_name = "Bench";
    account.provider = "custom";
    account.mode = accounts::AccountMode::Password;
    account.servers = {{mail::MailProtocol::Imap, "imap.example.test", 993, mail::TlsMode::Ssl, ""},
                       {mail::MailProtocol::Smtp, "smtp.example.test", 587, mail::TlsMode::StartTls, ""}};
    const auto account_id = accounts::AccountRepository(profile.db()).add(account);
    mail::MessageStore store(profile.db());
    const auto inbox = store.upsert_folder(account_id, "INBOX", "/", "inbox");
    store.upsert_folder(account_id, "Sent", "/", "sent");
    store.upsert_folder(account_id, "Archive/2025", "/", "");

    static const char* first[] = {"Anna", "Jan", "Eva", "Petr", "Lena", "Oskar", "Maria", "Nikos", "Layla", "Omar"};
    static const char* last[] = {"Novak", "Svensson", "Papadopoulos", "Haddad", "Smith", "Berg", "Dvorak", "Lind"};
    static const char* subjects[] = {"Monthly report", "Team meeting on Thursday", "Budget update", "Scan from the office printer",
                                     "Invoice", "Contract draft for review", "Travel expenses", "Minutes of the board meeting"};
    std::mt19937 random(42);
    const std::int64_t now = 1'796'000'000;  // late 2026
    std::vector<mail::ServerMessage> batch;
    for (std::int64_t uid = 1; uid <= count; ++uid) {
        const std::string f = first[random() % 10], l = last[random() % 8];
        const std::int64_t date = now - static_cast<std::int64_t>(random() % (2 * 365 * 86400));
        char when[64];
        const std::time_t t = static_cast<std::time_t>(date);
        std::strftime(when, sizeof when, "%a, %d %b %Y %H:%M:%S +0000", std::gmtime(&t));
        mail::ServerMessage m;
        m.uid = uid;
        m.flags = random() % 3 == 0 ? 0 : mail::MessageFlag::Seen;
        m.internal_date = date;
        m.size = 4000 + static_cast<std::int64_t>(random() % 40000);
        m.header_bytes = "From: " + f + " " + l + " <" + f + "." + l + "@example.org>\r\nTo: bench@example.test\r\n"
                         "Subject: " + subjects[random() % 8] + " " + std::to_string(uid) + "\r\nDate: " + when +
                         "\r\nMessage-ID: <" + std::to_string(uid) + "@bench.example>\r\n\r\n";
        batch.push_back(std::move(m));
        if (batch.size() == 5000 || uid == count) {
            store.add_messages(inbox, batch);
            batch.clear();
        }
    }
    store.set_sync_state(inbox, 1, count + 1, 0);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("profile %s: %lld messages in %.1f s\n", argv[1], static_cast<long long>(count), seconds);
    return 0;
}
