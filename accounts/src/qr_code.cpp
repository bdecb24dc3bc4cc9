#include "tern/accounts/qr_code.hpp"

#include "tern/core/error.hpp"

#include <qrencode.h>

#include <cerrno>
#include <memory>
#include <string>

namespace tern::accounts {

QrCode QrCode::encode(std::string_view text) {
    const std::string data(text);
    // Version 0: the smallest that fits. Mode 8 bits: a URL is not all upper-case alphanumerics.
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString(data.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
    if (!code) {
        if (errno == ERANGE)
            throw Error(ErrorCategory::BadInput, "The link is too long for a QR code; open it by typing it instead.");
        throw Error(ErrorCategory::Internal, {}, "QRcode_encodeString failed: errno " + std::to_string(errno));
    }
    QrCode out;
    out.version_ = code->version;
    out.size_ = code->width;
    out.modules_.resize(static_cast<std::size_t>(code->width) * code->width);
    // libqrencode: bit 0 of each byte is the module's colour (1 = dark); the other bits say
    // which part of the symbol it belongs to.
    for (std::size_t i = 0; i < out.modules_.size(); ++i) out.modules_[i] = code->data[i] & 1;
    return out;
}

std::string QrCode::to_terminal(int quiet, bool invert) const {
    const int side = size_ + 2 * quiet;
    const auto ink = [&](int x, int y) {
        x -= quiet;
        y -= quiet;
        const bool is_dark = x >= 0 && y >= 0 && x < size_ && y < size_ && dark(x, y);
        return invert ? is_dark : !is_dark;
    };
    std::string out;
    for (int y = 0; y < side; y += 2) {
        for (int x = 0; x < side; ++x) {
            const bool top = ink(x, y);
            const bool bottom = y + 1 < side && ink(x, y + 1);
            out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
        }
        out += '\n';
    }
    return out;
}

}  // namespace tern::accounts
