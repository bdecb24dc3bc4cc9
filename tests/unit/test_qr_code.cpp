// The QR code of the device sign-in link: a matrix a scanner can read (right size for its
// version, the three finder patterns, the timing patterns) and its terminal rendering.
#include "tern/accounts/qr_code.hpp"

#include "tern/core/error.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace tern::accounts;

namespace {

// A finder pattern: 7x7 dark ring, light ring, 3x3 dark centre, with a light separator around it
// (where it is inside the symbol).
bool finder_at(const QrCode& qr, int left, int top) {
    for (int y = -1; y <= 7; ++y)
        for (int x = -1; x <= 7; ++x) {
            const int ax = left + x, ay = top + y;
            if (ax < 0 || ay < 0 || ax >= qr.size() || ay >= qr.size()) continue;
            const int ring = std::max(std::abs(2 * x - 6), std::abs(2 * y - 6)) / 2;  // 0 centre .. 3 edge, 4 separator
            const bool want_dark = ring <= 1 || ring == 3;
            if (qr.dark(ax, ay) != want_dark) return false;
        }
    return true;
}

}  // namespace

TEST_CASE("the verification link becomes a QR code of the right version with three finder patterns", "[qr-code]") {
    // 33 bytes at level M: version 3 (v2-M holds 26 bytes, v3-M 42).
    const auto qr = QrCode::encode("https://microsoft.com/devicelogin");
    CHECK(qr.version() == 3);
    CHECK(qr.size() == 17 + 4 * 3);
    CHECK(finder_at(qr, 0, 0));
    CHECK(finder_at(qr, qr.size() - 7, 0));
    CHECK(finder_at(qr, 0, qr.size() - 7));
    CHECK_FALSE(finder_at(qr, qr.size() - 7, qr.size() - 7));  // only three corners
    // Timing patterns: alternating modules on row 6 and column 6 between the finders.
    for (int i = 8; i < qr.size() - 8; ++i) {
        CHECK(qr.dark(i, 6) == (i % 2 == 0));
        CHECK(qr.dark(6, i) == (i % 2 == 0));
    }
    // A longer link needs a larger symbol.
    const auto longer = QrCode::encode("https://login.microsoftonline.com/organizations/oauth2/v2.0/devicelogin?otc=FH7KQ2ZJM");
    CHECK(longer.version() > qr.version());
    CHECK(longer.size() == 17 + 4 * longer.version());
    CHECK(finder_at(longer, longer.size() - 7, 0));
}

TEST_CASE("the terminal rendering packs two module rows per line with a quiet zone", "[qr-code]") {
    const auto qr = QrCode::encode("https://microsoft.com/devicelogin");
    const auto text = qr.to_terminal(2);
    std::istringstream in(text);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const int side = qr.size() + 4;
    CHECK(lines.size() == static_cast<std::size_t>((side + 1) / 2));
    // Each cell is one 3-byte half/full block or a space; the quiet zone's top line is all light (blocks).
    std::string all_light;
    for (int i = 0; i < side; ++i) all_light += "\u2588";
    CHECK(lines[0] == all_light);
    // Line 1 holds module rows 0 and 1 (after 2 quiet rows): two light quiet columns (full
    // blocks), then the finder's left edge, dark in both rows (nothing printed).
    CHECK(lines[1].substr(0, 6) == "\u2588\u2588");  // quiet columns
    CHECK(lines[1].substr(6, 1) == " ");
    const auto inverted = qr.to_terminal(2, true);
    CHECK(inverted.find("\u2588") != std::string::npos);
    CHECK(inverted != text);
}

TEST_CASE("a link too long for any QR code is refused in words", "[qr-code]") {
    CHECK_THROWS_AS(QrCode::encode(std::string(8000, 'x')), tern::Error);
}
