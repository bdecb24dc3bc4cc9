#include "server_probe.hpp"
#include "tern/core/text.hpp"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string_view>

namespace tern::accounts::detail {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto cancel_poll = std::chrono::milliseconds(100);
constexpr std::size_t max_greeting = 200;

struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
};
using CaList = std::vector<std::unique_ptr<X509, X509Free>>;
struct EasyCleanup {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
            throw Error(ErrorCategory::Internal, {}, std::string("curl_global_init: ") + curl_easy_strerror(rc));
    });
}

CaList load_extra_cas(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCategory::BadInput, "Tern cannot read the extra trusted certificate file " + path.string() +
                                                 " (TERN_CA_FILE). Check the path or remove the setting.");
    const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CaList certs;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio) throw Error(ErrorCategory::Internal, {}, "BIO_new_mem_buf failed");
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(cert);
    ERR_clear_error();  // the read that ends the loop leaves "no start line" behind
    if (certs.empty())
        throw Error(ErrorCategory::BadInput, "The extra trusted certificate file " + path.string() +
                                                 " (TERN_CA_FILE) holds no PEM certificate. Check the file.");
    return certs;
}

std::string sha256_fingerprint(X509* cert) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    if (X509_digest(cert, EVP_sha256(), digest, &size) != 1) return {};
    return colon_hex(digest, size);
}

// One probe's connection and what it saw. Lives at a fixed address while curl holds pointers to it.
struct Probe {
    ServerCandidate candidate;
    std::unique_ptr<CURL, EasyCleanup> easy;
    std::unique_ptr<curl_slist, SlistFree> resolve;
    char error[CURL_ERROR_SIZE] = {};
    const CaList* extra_cas = nullptr;
    long verify_error = X509_V_OK;
    std::string received;  // the server's lines, up to the greeting's worth
    Clock::time_point started;
    bool running = false;
};

int probe_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

// OpenSSL's per-certificate verification callback: keeps the verdict as it is, and notes the
// server's certificate and the first error so a rejection can name both.
int note_certificate(int preverify_ok, X509_STORE_CTX* store) {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* probe = ssl ? static_cast<Probe*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), probe_index())) : nullptr;
    if (probe) {
        if (probe->candidate.certificate_sha256.empty())
            if (X509* leaf = X509_STORE_CTX_get0_cert(store)) probe->candidate.certificate_sha256 = sha256_fingerprint(leaf);
        if (!preverify_ok && probe->verify_error == X509_V_OK) probe->verify_error = X509_STORE_CTX_get_error(store);
    }
    return preverify_ok;
}

// Runs after curl has set up the TLS context (its CA store loaded): add TERN_CA_FILE's CAs to the
// same store, and watch the verification.
CURLcode prepare_tls(CURL*, void* ssl_ctx, void* user) {
    auto* probe = static_cast<Probe*>(user);
    auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
    if (probe->extra_cas) {
        X509_STORE* store = SSL_CTX_get_cert_store(ctx);
        for (const auto& cert : *probe->extra_cas)
            if (X509_STORE_add_cert(store, cert.get()) != 1) {  // a duplicate is success since OpenSSL 1.1.1
                ERR_clear_error();
                return CURLE_SSL_CACERT_BADFILE;
            }
    }
    SSL_CTX_set_ex_data(ctx, probe_index(), probe);
    SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), &note_certificate);
    return CURLE_OK;
}

int note_traffic(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
    auto* probe = static_cast<Probe*>(user);
    if (type == CURLINFO_HEADER_IN && probe->received.size() < 4096) probe->received.append(data, size);
    return 0;
}

const char* scheme(const mail::ServerEndpoint& server) {
    const bool tls = server.tls == mail::TlsMode::Ssl;
    switch (server.protocol) {
    case mail::MailProtocol::Imap: return tls ? "imaps" : "imap";
    case mail::MailProtocol::Pop3: return tls ? "pop3s" : "pop3";
    case mail::MailProtocol::Smtp: return tls ? "smtps" : "smtp";
    }
    return "imaps";
}

std::string bracketed(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find_first_of("\r\n"));
    if (line.size() > max_greeting) line = line.substr(0, max_greeting) + "...";
    return line;
}

std::string certificate_words(long verify_error, const std::string& curl_error, const std::string& host) {
    switch (verify_error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return "sent a certificate issued by an authority this computer does not trust";
    case X509_V_ERR_CERT_HAS_EXPIRED: return "sent a certificate that has expired";
    case X509_V_ERR_CERT_NOT_YET_VALID: return "sent a certificate that is not valid yet (check this computer's clock)";
    case X509_V_ERR_CERT_REVOKED: return "sent a certificate that has been revoked";
    case X509_V_ERR_HOSTNAME_MISMATCH: return "sent a certificate for another server, not " + host;
    case X509_V_OK:
        if (curl_error.find("host name") != std::string::npos || curl_error.find("subject name") != std::string::npos)
            return "sent a certificate for another server, not " + host;
        return "sent a certificate Tern does not accept";
    default:
        return std::string("sent a certificate Tern does not accept (") + X509_verify_cert_error_string(verify_error) +
               ")";
    }
}

// What a finished probe found, in a person's words.
void classify(Probe& probe, CURLcode rc, std::chrono::milliseconds timeout) {
    auto& c = probe.candidate;
    c.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - probe.started);
    c.greeting = first_line(probe.received);
    const std::string curl_error = probe.error[0] ? probe.error : curl_easy_strerror(rc);
    c.detail = curl_error;
    const auto protocol = upper(mail::to_string(c.server.protocol));
    auto fail = [&](ErrorCategory category, std::string reason) {
        c.outcome = ServerCandidate::Outcome::Failed;
        c.problem = category;
        c.reason = std::move(reason);
    };
    switch (rc) {
    case CURLE_OK:
        c.outcome = ServerCandidate::Outcome::Secure;
        c.reason = c.server.tls == mail::TlsMode::Ssl ? "answers over TLS, certificate trusted"
                                                       : "answers and offers STARTTLS, certificate trusted";
        return;
    case CURLE_USE_SSL_FAILED:
        c.outcome = ServerCandidate::Outcome::PlaintextOnly;
        c.reason = std::string("answers but offers no encryption (no ") +
                   (c.server.protocol == mail::MailProtocol::Pop3 ? "STLS" : "STARTTLS") + ")";
        return;
    case CURLE_COULDNT_RESOLVE_HOST: return fail(ErrorCategory::Network, "has no address in DNS");
    case CURLE_COULDNT_CONNECT: {
        long os_error = 0;
        curl_easy_getinfo(probe.easy.get(), CURLINFO_OS_ERRNO, &os_error);
        if (os_error == ECONNREFUSED) return fail(ErrorCategory::Network, "refused the connection");
        const std::string why = os_error ? " (" + std::string(std::strerror(static_cast<int>(os_error))) + ")" : "";
        return fail(ErrorCategory::Network, "could not be reached" + why);
    }
    case CURLE_OPERATION_TIMEDOUT:
        if (curl_error.find("Resolving") != std::string::npos)
            return fail(ErrorCategory::Timeout, "could not be looked up in DNS within " + duration_words(timeout));
        return fail(ErrorCategory::Timeout, "did not answer within " + duration_words(timeout));
    case CURLE_PEER_FAILED_VERIFICATION:
        return fail(ErrorCategory::TlsCertificate, certificate_words(probe.verify_error, curl_error, c.server.host));
    case CURLE_SSL_CONNECT_ERROR:
        if (probe.verify_error != X509_V_OK)
            return fail(ErrorCategory::TlsCertificate, certificate_words(probe.verify_error, curl_error, c.server.host));
        return fail(ErrorCategory::TlsHandshake, c.server.tls == mail::TlsMode::Ssl ? "does not speak TLS on this port"
                                                                                    : "could not set up TLS after STARTTLS");
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (c.greeting.empty()) return fail(ErrorCategory::Protocol, "closed the connection without a greeting");
        return fail(ErrorCategory::Protocol, "closed the connection after its greeting");
    case CURLE_WEIRD_SERVER_REPLY:  // also CURLE_FTP_WEIRD_SERVER_REPLY: the same value
        return fail(ErrorCategory::Protocol, "does not answer like an " + protocol + " server");
    case CURLE_REMOTE_ACCESS_DENIED:
    case CURLE_LOGIN_DENIED:
        return fail(ErrorCategory::ServerError, "turned the connection away");
    default:
        return fail(ErrorCategory::Network, "could not be checked (" + curl_error + ")");
    }
}

void configure(Probe& probe, const ProbeSettings& settings, const std::string& address) {
    CURL* h = probe.easy.get();
    const auto& s = probe.candidate.server;
    const std::string url = std::string(scheme(s)) + "://" + bracketed(s.host) + ":" + std::to_string(s.port) + "/";
    const long timeout_ms = static_cast<long>(settings.timeout.count());
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);  // greeting, capabilities, STARTTLS; never a login
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, static_cast<long>((settings.timeout.count() + 999) / 1000));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");  // a mail server is reached directly, never through *_proxy
    curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, probe.error);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // the debug callback sees the server's lines; nothing is printed
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &note_traffic);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &probe);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, &prepare_tls);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, &probe);
    curl_easy_setopt(h, CURLOPT_PRIVATE, &probe);
    if (!settings.trust.use_system_store) {
        curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
        curl_easy_setopt(h, CURLOPT_CAINFO, settings.trust.extra_ca_file.empty()
                                                ? nullptr
                                                : settings.trust.extra_ca_file.c_str());
    }
    if (!address.empty()) {
        const std::string entry = s.host + ":" + std::to_string(s.port) + ":" + bracketed(address);
        probe.resolve.reset(curl_slist_append(nullptr, entry.c_str()));
        curl_easy_setopt(h, CURLOPT_RESOLVE, probe.resolve.get());
    }
}

// The multi handle and its probes; the destructor detaches whatever still runs (a cancel).
class ProbeRun {
public:
    ProbeRun() : multi_(curl_multi_init()) {
        if (!multi_) throw Error(ErrorCategory::Internal, {}, "curl_multi_init failed");
    }
    ~ProbeRun() {
        for (auto& p : probes_)
            if (p->running) curl_multi_remove_handle(multi_, p->easy.get());
        probes_.clear();
        curl_multi_cleanup(multi_);
    }
    ProbeRun(const ProbeRun&) = delete;
    ProbeRun& operator=(const ProbeRun&) = delete;

    CURLM* multi() const { return multi_; }
    std::vector<std::unique_ptr<Probe>>& probes() { return probes_; }

    void finish(Probe& probe) {
        curl_multi_remove_handle(multi_, probe.easy.get());
        probe.running = false;
        probe.easy.reset();  // hangs up now rather than at the end of the batch
    }

private:
    CURLM* multi_;
    std::vector<std::unique_ptr<Probe>> probes_;
};

}  // namespace

std::string duration_words(std::chrono::milliseconds duration) {
    const auto ms = duration.count();
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
    if (ms > 1000 || ms % 100 == 0) return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
    return std::to_string(ms) + " ms";
}

std::vector<ServerCandidate> probe_servers(const std::vector<ProbeTarget>& targets, const ProbeSettings& settings,
                                           const CancelToken& cancel,
                                           const std::function<void(const ServerCandidate&)>& finished) {
    init_curl_once();
    CaList extra_cas;
    if (settings.trust.use_system_store && !settings.trust.extra_ca_file.empty())
        extra_cas = load_extra_cas(settings.trust.extra_ca_file);

    ProbeRun run;
    for (const auto& target : targets) {
        auto probe = std::make_unique<Probe>();
        probe->candidate.server = target.server;
        probe->candidate.source = target.source;
        probe->extra_cas = extra_cas.empty() ? nullptr : &extra_cas;
        probe->started = Clock::now();
        std::string address;
        if (!settings.host_addresses.empty()) {
            const auto it = settings.host_addresses.find(target.server.host);
            if (it == settings.host_addresses.end()) {
                probe->candidate.problem = ErrorCategory::Network;
                probe->candidate.reason = "has no address (not in TERN_AUTODETECT_HOSTS)";
                if (finished) finished(probe->candidate);
                run.probes().push_back(std::move(probe));
                continue;
            }
            address = it->second;
        }
        probe->easy.reset(curl_easy_init());
        if (!probe->easy) throw Error(ErrorCategory::Internal, {}, "curl_easy_init failed");
        configure(*probe, settings, address);
        if (curl_multi_add_handle(run.multi(), probe->easy.get()) != CURLM_OK)
            throw Error(ErrorCategory::Internal, {}, "curl_multi_add_handle failed");
        probe->running = true;
        run.probes().push_back(std::move(probe));
    }

    int running = 0;
    do {
        cancel.throw_if_cancelled();
        if (const CURLMcode rc = curl_multi_perform(run.multi(), &running); rc != CURLM_OK)
            throw Error(ErrorCategory::Internal, {}, std::string("curl_multi_perform: ") + curl_multi_strerror(rc));
        int queued = 0;
        while (CURLMsg* message = curl_multi_info_read(run.multi(), &queued)) {
            if (message->msg != CURLMSG_DONE) continue;
            Probe* probe = nullptr;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &probe);
            const CURLcode result = message->data.result;  // `message` dies with the handle's removal
            classify(*probe, result, settings.timeout);
            run.finish(*probe);
            spdlog::debug("autodetect: {}://{}:{} -> {} ({})", scheme(probe->candidate.server),
                          probe->candidate.server.host, probe->candidate.server.port, probe->candidate.reason,
                          probe->candidate.detail);
            if (finished) finished(probe->candidate);
        }
        if (running > 0) {
            if (const CURLMcode rc = curl_multi_poll(run.multi(), nullptr, 0, static_cast<int>(cancel_poll.count()), nullptr);
                rc != CURLM_OK)
                throw Error(ErrorCategory::Internal, {}, std::string("curl_multi_poll: ") + curl_multi_strerror(rc));
        }
    } while (running > 0);
    cancel.throw_if_cancelled();

    std::vector<ServerCandidate> results;
    results.reserve(run.probes().size());
    for (auto& p : run.probes()) results.push_back(std::move(p->candidate));
    return results;
}

}  // namespace tern::accounts::detail
