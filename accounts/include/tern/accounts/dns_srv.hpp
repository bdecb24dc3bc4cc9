// DNS SRV look-ups for autodetection (RFC 2782, RFC 6186): the records, the order a client tries
// them in, and a small resolver interface so tests can answer instead of the system's DNS.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace tern::accounts {

struct SrvRecord {
    int priority = 0;
    int weight = 0;
    int port = 0;
    std::string target;  // lower case, no trailing dot; "." when the domain says "not offered"

    friend bool operator==(const SrvRecord& a, const SrvRecord& b) {
        return a.priority == b.priority && a.weight == b.weight && a.port == b.port && a.target == b.target;
    }
};

struct SrvAnswer {
    enum class Status {
        Found,      // at least one SRV record (possibly only ".")
        NoRecords,  // the name or its SRV records do not exist
        Failed,     // the DNS server did not answer or answered with an error
    };
    Status status = Status::NoRecords;
    std::vector<SrvRecord> records;
    std::string error;  // Failed: what went wrong, for the log and the person
};

class DnsResolver {
public:
    virtual ~DnsResolver() = default;
    // Looks up the SRV records of `name` (e.g. "_imaps._tcp.example.org"). May block up to about
    // `timeout`; the caller runs look-ups on threads of their own and stops waiting when cancelled.
    virtual SrvAnswer lookup_srv(const std::string& name, std::chrono::milliseconds timeout) = 0;
};

// The system's resolver (glibc res_nquery, answers parsed with ns_parserr).
std::shared_ptr<DnsResolver> make_system_dns_resolver();

// The SRV records of the answer section of a DNS response message (wire format). Other record
// types (a CNAME on the way) are skipped. Throws tern::Error (Protocol) on a malformed message.
std::vector<SrvRecord> parse_srv_answer(const unsigned char* message, std::size_t length);

// RFC 2782 order: lowest priority first; inside one priority, a weighted random draw (weight 0
// records get a small chance, as the RFC says). Records with the "." target are dropped.
std::vector<SrvRecord> order_srv_records(std::vector<SrvRecord> records, std::mt19937& random);

// True when the answer says the service is decidedly not offered: its only records target ".".
bool srv_not_offered(const std::vector<SrvRecord>& records);

}  // namespace tern::accounts
