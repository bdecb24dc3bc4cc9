// A QR code of the device sign-in link (DESIGN §5), so the admin can open it on a phone: the
// module matrix for the desktop pane to draw, and a rendering for a terminal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tern::accounts {

class QrCode {
public:
    // Error correction level M (15%): printers' small screens and phone cameras at an angle.
    // Throws BadInput when the text is too long for a QR code, Internal when libqrencode fails.
    static QrCode encode(std::string_view text);

    int version() const { return version_; }  // 1..40
    int size() const { return size_; }        // modules per side: 17 + 4 * version
    bool dark(int x, int y) const { return modules_[static_cast<std::size_t>(y) * size_ + x]; }

    // Unicode half blocks, two module rows per line, with a quiet zone of `quiet` modules. Light
    // modules are printed as blocks, dark ones as spaces: on a terminal with light text on a dark
    // background (most of them) that shows dark-on-light, as scanners expect. `invert` is for
    // dark text on a light background. Lines end with '\n'.
    std::string to_terminal(int quiet = 2, bool invert = false) const;

private:
    int version_ = 0;
    int size_ = 0;
    std::vector<bool> modules_;
};

}  // namespace tern::accounts
