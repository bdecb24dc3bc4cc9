#include "tern/accounts/dns_srv.hpp"

#include "tern/core/error.hpp"

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace tern::accounts {
namespace {

std::string normalise_target(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name.empty() || name == ".") return ".";
    if (name.back() == '.') name.pop_back();
    return name;
}

Error malformed(const std::string& detail) {
    return Error(ErrorCategory::Protocol, "The DNS server sent an answer Tern cannot read.", detail);
}

// One res_state per look-up: the res_n* functions are thread-safe only that way.
class SystemDnsResolver final : public DnsResolver {
public:
    SrvAnswer lookup_srv(const std::string& name, std::chrono::milliseconds timeout) override {
        struct __res_state state {};
        if (res_ninit(&state) != 0) return {SrvAnswer::Status::Failed, {}, "the resolver configuration cannot be read"};
        // One try per name server, each waiting about `timeout`: the look-up ends on its own even
        // when nobody waits for it any more.
        state.retrans = std::max(1, static_cast<int>((timeout.count() + 999) / 1000));
        state.retry = 1;
        std::vector<unsigned char> buffer(NS_MAXMSG);
        const int length = res_nquery(&state, name.c_str(), ns_c_in, ns_t_srv, buffer.data(),
                                      static_cast<int>(buffer.size()));
        const int status = state.res_h_errno;
        const int saved_errno = errno;
        res_nclose(&state);
        if (length < 0) {
            switch (status) {
            case HOST_NOT_FOUND:
            case NO_DATA:
                return {SrvAnswer::Status::NoRecords, {}, {}};
            case TRY_AGAIN:
                return {SrvAnswer::Status::Failed, {}, "the DNS server did not answer (or answered SERVFAIL)"};
            case NO_RECOVERY:
                return {SrvAnswer::Status::Failed, {}, "the DNS server refused the query"};
            default:
                return {SrvAnswer::Status::Failed, {}, std::string("resolver error: ") + std::strerror(saved_errno)};
            }
        }
        SrvAnswer answer;
        try {
            answer.records = parse_srv_answer(buffer.data(), std::min<std::size_t>(static_cast<std::size_t>(length),
                                                                                   buffer.size()));
        } catch (const Error& e) {
            return {SrvAnswer::Status::Failed, {}, e.detail()};
        }
        answer.status = answer.records.empty() ? SrvAnswer::Status::NoRecords : SrvAnswer::Status::Found;
        return answer;
    }
};

}  // namespace

std::shared_ptr<DnsResolver> make_system_dns_resolver() { return std::make_shared<SystemDnsResolver>(); }

std::vector<SrvRecord> parse_srv_answer(const unsigned char* message, std::size_t length) {
    ns_msg handle{};
    if (length > NS_MAXMSG || ns_initparse(message, static_cast<int>(length), &handle) < 0)
        throw malformed("ns_initparse failed on " + std::to_string(length) + " bytes");
    std::vector<SrvRecord> records;
    const int count = ns_msg_count(handle, ns_s_an);
    for (int i = 0; i < count; ++i) {
        ns_rr rr{};
        if (ns_parserr(&handle, ns_s_an, i, &rr) < 0) throw malformed("ns_parserr failed on answer " + std::to_string(i));
        if (rr.type != ns_t_srv || rr.rr_class != ns_c_in) continue;  // e.g. the CNAME that led here
        if (rr.rdlength < 7) throw malformed("SRV record of " + std::to_string(rr.rdlength) + " bytes");
        const unsigned char* data = rr.rdata;
        SrvRecord record;
        record.priority = static_cast<int>(ns_get16(data));
        record.weight = static_cast<int>(ns_get16(data + 2));
        record.port = static_cast<int>(ns_get16(data + 4));
        char target[NS_MAXDNAME];
        const int used = dn_expand(ns_msg_base(handle), ns_msg_end(handle), data + 6, target, sizeof target);
        if (used < 0 || 6 + used != rr.rdlength) throw malformed("SRV target name does not fit its record");
        record.target = normalise_target(target);
        records.push_back(std::move(record));
    }
    return records;
}

std::vector<SrvRecord> order_srv_records(std::vector<SrvRecord> records, std::mt19937& random) {
    records.erase(std::remove_if(records.begin(), records.end(), [](const SrvRecord& r) { return r.target == "."; }),
                  records.end());
    // Zero weights first inside each priority, as RFC 2782's selection algorithm asks.
    std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
        if (a.priority != b.priority) return a.priority < b.priority;
        return a.weight == 0 && b.weight != 0;
    });
    std::vector<SrvRecord> ordered;
    auto group_begin = records.begin();
    while (group_begin != records.end()) {
        auto group_end = std::find_if(group_begin, records.end(),
                                      [&](const SrvRecord& r) { return r.priority != group_begin->priority; });
        std::vector<SrvRecord> group(group_begin, group_end);
        while (!group.empty()) {
            long total = 0;
            for (const auto& r : group) total += r.weight;
            const long pick = std::uniform_int_distribution<long>(0, total)(random);
            long running = 0;
            auto chosen = group.begin();
            for (auto it = group.begin(); it != group.end(); ++it) {
                running += it->weight;
                if (running >= pick) {
                    chosen = it;
                    break;
                }
            }
            ordered.push_back(std::move(*chosen));
            group.erase(chosen);
        }
        group_begin = group_end;
    }
    return ordered;
}

bool srv_not_offered(const std::vector<SrvRecord>& records) {
    return !records.empty() &&
           std::all_of(records.begin(), records.end(), [](const SrvRecord& r) { return r.target == "."; });
}

}  // namespace tern::accounts
