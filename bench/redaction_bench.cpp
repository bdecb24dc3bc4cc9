// Cost of the redaction layer that every log line passes through.
#include "tern/core/redaction.hpp"
#include "tern/core/secret.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace {

// Lines shaped like what the mail core logs: mostly ordinary, some carrying protocol secrets.
const std::vector<std::string>& sample_lines() {
    static const std::vector<std::string> lines{
        "imap alice@example.test: selected INBOX, 48213 messages, UIDVALIDITY 1700000000",
        "sync alice@example.test INBOX: fetched 250 envelopes in 412 ms",
        "smtp bob@example.test: 250 2.0.0 OK queued as 4FQ2Lx0Zkgz9",
        "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE AUTH=PLAIN AUTH=XOAUTH2",
        "outbox: message 17 accepted, spooled to /home/a/.local/share/tern/outbox/17.eml",
        "POST https://login.microsoftonline.com/consumers/oauth2/v2.0/token 200 in 183 ms",
        "C: a1 AUTHENTICATE XOAUTH2 dXNlcj1hbGljZUBleGFtcGxlLnRlc3QBYXV0aD1CZWFyZXIgeHl6AQE=",
        "token response {\"token_type\":\"Bearer\",\"access_token\":\"EwBwA8l6BAAU\",\"expires_in\":3599}",
        "device printer-2: relay accepted 1 message (48 KB) from 192.0.2.10",
        "fallback policy: alice@example.test stays in oauth mode (last attempt ok)",
    };
    return lines;
}

void remember(int count) {
    for (int i = 0; i < count; ++i) tern::remember_secret("remembered-secret-value-" + std::to_string(i));
}

void BM_RedactLogLine(benchmark::State& state) {
    remember(static_cast<int>(state.range(0)));
    const auto& lines = sample_lines();
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const auto& line = lines[i++ % lines.size()];
        benchmark::DoNotOptimize(tern::redact(line));
        bytes += line.size();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
// Secrets remembered: a few accounts' passwords and tokens, then a profile with many devices.
BENCHMARK(BM_RedactLogLine)->Arg(10)->Arg(200);

void BM_RedactOrdinaryLine(benchmark::State& state) {
    const std::string line = "sync alice@example.test INBOX: fetched 250 envelopes in 412 ms";
    for (auto _ : state) benchmark::DoNotOptimize(tern::redact(line));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_RedactOrdinaryLine);

}  // namespace

BENCHMARK_MAIN();
