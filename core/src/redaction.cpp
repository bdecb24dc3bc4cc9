#include "tern/core/redaction.hpp"

#include "tern/core/base64.hpp"
#include "tern/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <mutex>
#include <regex>
#include <shared_mutex>
#include <vector>

namespace tern {
namespace {

constexpr std::size_t min_remembered_length = 3;
// Bounded: access tokens are replaced hourly and each remembered secret costs a scan per log line.
constexpr std::size_t max_remembered = 512;

struct Registry {
    std::shared_mutex mutex;
    std::deque<std::string> secrets;  // oldest first; longest-first order is applied when redacting
};

Registry& registry() {
    static Registry r;
    return r;
}


struct Rule {
    std::regex pattern;
    std::string replacement;
    // Lower-case words one of which must be in the text for the rule to possibly match: most log
    // lines then skip the (slow) std::regex work entirely.
    std::vector<std::string> triggers;
};

// Each rule keeps the name of what was redacted so the log still says what happened.
const std::vector<Rule>& rules() {
    static const std::vector<Rule> r = [] {
        const auto flags = std::regex::ECMAScript | std::regex::icase | std::regex::optimize;
        // Protocol verbs are matched in capitals only, so prose such as "pass" or "login" is kept.
        const auto verb_flags = std::regex::ECMAScript | std::regex::optimize;
        const std::string json_keys =
            "access_token|refresh_token|id_token|password|passwd|client_secret|device_code|code|code_verifier|"
            "token|secret|accesstoken|assertion";
        const std::string form_keys =
            "access_token|refresh_token|id_token|password|passwd|client_secret|device_code|code|code_verifier|"
            "token|assertion";
        const std::string mechanisms = "PLAIN|LOGIN|XOAUTH2|OAUTHBEARER|CRAM-MD5";
        std::vector<Rule> v;
        v.push_back({std::regex(R"re(((?:proxy-)?authorization\s*:\s*)(?:\w+\s+)?[^\s,;]+)re", flags),
                     "$1[REDACTED]", {"authorization"}});
        v.push_back({std::regex(R"re((\bbearer\s+)[A-Za-z0-9._~+/=-]+)re", flags), "$1[REDACTED]", {"bearer"}});
        v.push_back({std::regex(R"re(("(?:)re" + json_keys + R"re()"\s*:\s*")(?:[^"\\]|\\.)*")re", flags),
                     "$1[REDACTED]\"", {"token\"", "password\"", "passwd\"", "secret\"", "code\"", "verifier\"", "assertion\""}});
        v.push_back({std::regex(R"re((\b(?:)re" + form_keys + R"re()=)[^&\s"']+)re", flags), "$1[REDACTED]",
                     {"token=", "password=", "passwd=", "secret=", "code=", "verifier=", "assertion="}});
        // IMAP: "<tag> LOGIN <user> <password>"
        v.push_back({std::regex(R"re(((?:^|\s)[A-Za-z0-9.]+\s+LOGIN\s+(?:"(?:[^"\\]|\\.)*"|\S+)\s+)(?:"(?:[^"\\]|\\.)*"|\S+))re",
                                verb_flags),
                     "$1[REDACTED]", {"login"}});
        // POP3: "PASS <password>"
        v.push_back({std::regex(R"re(((?:^|[\s>:])PASS\s+).+)re", verb_flags), "$1[REDACTED]", {"pass"}});
        // SASL initial responses in SMTP AUTH and IMAP AUTHENTICATE. The look-ahead keeps
        // capability lists ("250-AUTH LOGIN PLAIN XOAUTH2") readable.
        v.push_back({std::regex(R"re((\bAUTH(?:ENTICATE)?\s+(?:)re" + mechanisms + R"re()\s+)(?!(?:)re" + mechanisms +
                                    R"re(|GSSAPI|NTLM|SCRAM-[\w-]+)\b)\S+)re",
                                flags),
                     "$1[REDACTED]", {"auth"}});
        // JSON Web Tokens.
        v.push_back({std::regex(R"re(eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)re", flags), "[REDACTED]", {"eyj"}});
        // Passwords in URLs: scheme://user:password@host
        v.push_back({std::regex(R"re((\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@)re", flags), "$1[REDACTED]@", {"://"}});
        return v;
    }();
    return r;
}

bool is_base64_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '-' || c == '_';
}

// PLAIN is "authzid NUL authcid NUL password"; XOAUTH2 and OAUTHBEARER carry "^Aauth=".
bool is_sasl_credential(const std::string& decoded) {
    if (ascii_lower(decoded).find("\x01" "auth=") != std::string::npos) return true;
    if (std::count(decoded.begin(), decoded.end(), '\0') != 2) return false;
    return std::all_of(decoded.begin(), decoded.end(),
                       [](unsigned char c) { return c == 0 || c >= 0x20; });
}

// A SASL response sent on a line of its own (after a "+" continuation) is only base64: decode
// base64 words and blank those that hold SASL credentials.
void redact_sasl_base64_words(std::string& text) {
    constexpr std::size_t min_len = 8;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        while (i < text.size() && is_base64_char(text[i])) ++i;
        // '=' ends a word as padding, unless more base64 follows ("sasl=dXNl..." is two words).
        std::size_t end = i;
        while (end < text.size() && text[end] == '=') ++end;
        if (end < text.size() && is_base64_char(text[end])) end = i;
        if (end - start >= min_len) {
            const auto decoded = base64_decode(std::string_view(text).substr(start, end - start));
            if (decoded && is_sasl_credential(*decoded)) {
                text.replace(start, end - start, redacted_marker);
                end = start + redacted_marker.size();
            }
        }
        i = end == start ? start + 1 : end;
    }
}

}  // namespace

void remember_secret(std::string_view secret) {
    if (secret.size() < min_remembered_length) return;
    auto& r = registry();
    std::unique_lock lock(r.mutex);
    if (std::find(r.secrets.begin(), r.secrets.end(), secret) != r.secrets.end()) return;
    if (r.secrets.size() >= max_remembered) r.secrets.pop_front();
    r.secrets.emplace_back(secret);
}

std::string redact(std::string_view text) {
    std::string out(text);
    {
        auto& r = registry();
        std::shared_lock lock(r.mutex);
        if (!r.secrets.empty()) {
            // Longest first, so a secret that contains another is blanked whole.
            std::vector<const std::string*> ordered;
            for (const auto& s : r.secrets)
                if (out.find(s) != std::string::npos) ordered.push_back(&s);
            std::sort(ordered.begin(), ordered.end(),
                      [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
            for (const auto* s : ordered) replace_all(out, *s, redacted_marker);
        }
    }
    const std::string lower = ascii_lower(out);
    for (const auto& rule : rules()) {
        const bool may_match = std::any_of(rule.triggers.begin(), rule.triggers.end(),
                                           [&](const std::string& t) { return lower.find(t) != std::string::npos; });
        if (may_match) out = std::regex_replace(out, rule.pattern, rule.replacement);
    }
    redact_sasl_base64_words(out);
    return out;
}

}  // namespace tern
