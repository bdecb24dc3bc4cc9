#include "mime_text.hpp"

#include "tern/core/base64.hpp"

#include <vmime/charset.hpp>
#include <vmime/parsingContext.hpp>
#include <vmime/text.hpp>

#include <array>
#include <cstring>

namespace tern::mail::mime {
namespace {

// Windows-1252 0x80..0x9F; the five holes become U+FFFD.
constexpr std::array<char32_t, 32> cp1252_high{
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

char32_t cp1252(unsigned char c) { return (c >= 0x80 && c < 0xA0) ? cp1252_high[c - 0x80] : c; }

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence starting at p[0] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or 0.
std::size_t utf8_sequence_length(const unsigned char* p, std::size_t n) {
    const unsigned char c = p[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && is_continuation(p[1])) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || !is_continuation(p[2])) return 0;
        const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return (p[1] >= lo && p[1] <= hi) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || !is_continuation(p[2]) || !is_continuation(p[3])) return 0;
        const unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return (p[1] >= lo && p[1] <= hi) ? 4 : 0;
    }
    return 0;
}

std::string cp1252_to_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 4);
    for (unsigned char c : bytes) append_utf8(out, cp1252(c));
    return out;
}

enum class CharsetKind { Utf8, Cp1252, Other };

// A label as ICU knows it, and which of our own decoders handles it.
CharsetKind classify_charset(std::string_view label, std::string& name) {
    name = ascii_lower(trim(label));
    if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'') && name.back() == name.front())
        name = name.substr(1, name.size() - 2);
    if (auto star = name.find('*'); star != std::string::npos) name.resize(star);  // RFC 2231 language
    name = std::string(trim(name));
    static constexpr std::string_view utf8_like[] = {"",        "utf-8",   "utf8",    "us-ascii",
                                                     "ascii",   "us_ascii", "ansi_x3.4-1968",
                                                     "unknown", "x-unknown", "unicode-1-1-utf-8", "default"};
    static constexpr std::string_view latin1_like[] = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",
                                                       "l1",         "windows-1252", "cp1252", "x-cp1252"};
    for (auto n : utf8_like)
        if (name == n) return CharsetKind::Utf8;
    for (auto n : latin1_like)
        if (name == n) return CharsetKind::Cp1252;
    // Labels that mean a superset in practice (as web browsers read them).
    if (name == "gb2312" || name == "gbk" || name == "x-gbk" || name == "euc-cn") name = "gb18030";
    else if (name == "ks_c_5601-1987") name = "windows-949";
    else if (name == "iso-8859-8-i") name = "iso-8859-8";
    return CharsetKind::Other;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Lenient base64: characters outside the alphabet are skipped; '=' ends a quantum (concatenated
// encodings are common in the wild), a partial quantum yields the bytes it holds.
template <class Sink>
void decode_base64(std::string_view in, Sink&& sink) {
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
        if (c == '=') {
            acc = 0;
            bits = 0;
            continue;
        }
        const int v = base64_value(static_cast<char>(c));
        if (v < 0) continue;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            sink(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
}

// Lenient quoted-printable: "=XX" is a byte, "=" before optional blanks and a line end is a soft
// break, any other "=" is kept as it is.
template <class Sink>
void decode_quoted_printable(std::string_view in, Sink&& sink) {
    const std::size_t n = in.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char c = in[i];
        if (c != '=') {
            sink(c);
            continue;
        }
        const int hi = i + 1 < n ? hex_value(in[i + 1]) : -1;
        const int lo = i + 2 < n ? hex_value(in[i + 2]) : -1;
        if (hi >= 0 && lo >= 0) {
            sink(static_cast<char>(hi * 16 + lo));
            i += 2;
            continue;
        }
        std::size_t j = i + 1;
        while (j < n && (in[j] == ' ' || in[j] == '\t')) ++j;
        if (j == n) break;  // "=" at the very end: a soft break
        if (in[j] == '\n' || (in[j] == '\r' && j + 1 < n && in[j + 1] == '\n')) {
            i = in[j] == '\n' ? j : j + 1;
            continue;
        }
        sink('=');
    }
}

enum class TransferEncoding { Identity, Base64, QuotedPrintable };

TransferEncoding transfer_encoding(std::string_view value) {
    const auto name = ascii_lower(trim(value));
    if (name == "base64") return TransferEncoding::Base64;
    if (name == "quoted-printable") return TransferEncoding::QuotedPrintable;
    return TransferEncoding::Identity;
}

}  // namespace

// H. Hinnant's algorithm.
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = y / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::string utf8_or_cp1252(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    while (i < n) {
        // Copy the ASCII run in one go: most text is mostly ASCII.
        std::size_t run = i;
        while (run < n && p[run] < 0x80) ++run;
        out.append(bytes.data() + i, run - i);
        i = run;
        if (i == n) break;
        const std::size_t len = utf8_sequence_length(p + i, n - i);
        if (len > 0) {
            out.append(bytes.data() + i, len);
            i += len;
        } else {
            append_utf8(out, cp1252(p[i]));
            ++i;
        }
    }
    return out;
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
    std::string name;
    switch (classify_charset(charset, name)) {
    case CharsetKind::Utf8: return utf8_or_cp1252(bytes);
    case CharsetKind::Cp1252: return cp1252_to_utf8(bytes);
    case CharsetKind::Other: break;
    }
    // ICU (through vmime) for everything else. Invalid input becomes U+FFFD; an unknown label
    // throws, and then the bytes are read as if unlabelled.
    if (name.size() > 64 || name.find('\0') != std::string::npos) return utf8_or_cp1252(bytes);
    try {
        std::string out;
        vmime::charset::convert(std::string(bytes), out, vmime::charset(name), vmime::charset("utf-8"));
        return utf8_or_cp1252(out);
    } catch (...) {
        return utf8_or_cp1252(bytes);
    }
}

std::string decode_header_text(std::string_view value) {
    std::string decoded;
    try {
        vmime::parsingContext ctx;
        vmime::text text;
        vmime::text::decodeAndUnfold(ctx, std::string(value), &text);
        // Neighbouring words in one charset are converted together: some encoders split a
        // multibyte character across two encoded words.
        std::string run, run_charset;
        for (std::size_t i = 0; i < text.getWordCount(); ++i) {
            const auto word = text.getWordAt(i);
            const auto& charset = word->getCharset().getName();
            if (!run.empty() && !iequals(charset, run_charset)) {
                decoded += to_utf8(run, run_charset);
                run.clear();
            }
            run_charset = charset;
            run += word->getBuffer();
        }
        decoded += to_utf8(run, run_charset);
    } catch (...) {
        decoded = utf8_or_cp1252(value);
    }
    std::string out;
    out.reserve(decoded.size());
    bool pending_space = false;
    for (char c : decoded) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F || c == ' ') {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

std::string normalize_body_text(std::string text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r') {
            out += '\n';
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        } else if (c == '\n' || c == '\t' || (u >= 0x20 && u != 0x7F)) {
            out += c;
        }
    }
    return out;
}

std::string decode_transfer(std::string_view body, std::string_view encoding) {
    std::string out;
    switch (transfer_encoding(encoding)) {
    case TransferEncoding::Base64:
        out.reserve(body.size() / 4 * 3 + 3);
        decode_base64(body, [&out](char c) { out += c; });
        return out;
    case TransferEncoding::QuotedPrintable:
        out.reserve(body.size());
        decode_quoted_printable(body, [&out](char c) { out += c; });
        return out;
    case TransferEncoding::Identity: break;
    }
    return std::string(body);
}

std::int64_t decoded_size(std::string_view body, std::string_view encoding) {
    std::int64_t n = 0;
    switch (transfer_encoding(encoding)) {
    case TransferEncoding::Base64: decode_base64(body, [&n](char) { ++n; }); return n;
    case TransferEncoding::QuotedPrintable: decode_quoted_printable(body, [&n](char) { ++n; }); return n;
    case TransferEncoding::Identity: break;
    }
    return static_cast<std::int64_t>(body.size());
}

}  // namespace tern::mail::mime
