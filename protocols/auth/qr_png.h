// A QR code as a PNG data URL, for the otpauth:// URL of TOTP set-up (POST /users/:user/2fa/totp/setup answers
// it as `qrcode`, as WildDuck does). libqrencode makes the modules (ISO/IEC 18004, error correction level M);
// the PNG (W3C PNG 2nd ed., RFC 2083) is written here with zlib: a 1-bit grayscale image, `scale` pixels per
// module and the 4-module quiet zone the QR standard requires around the symbol, so a phone camera finds it.
//
// libqrencode is optional at build time (CMake's pkg-config check): without it qr_available() is false,
// qr_data_url() answers nullopt and the set-up answer has no `qrcode` — the seed and the otpauth:// URL still
// work, typed in or pasted.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mallard::auth {

// A square symbol: `width` modules per side, row by row; true is a dark module.
struct QrModules {
    int width = 0;
    std::vector<bool> dark;
};

constexpr int qr_quiet_zone = 4;   // modules of light margin on every side (ISO/IEC 18004 §6.3.8)
constexpr int qr_default_scale = 4;

// The PNG file of `modules`, ((width + 2 * quiet zone) * scale) pixels square. Pure; scale is clamped to 1..16.
std::string render_qr_png(const QrModules& modules, int scale = qr_default_scale);

// Whether this build can encode QR codes (libqrencode was found).
bool qr_available();

// The modules that encode `text` as bytes at level M; nullopt without libqrencode or when the text does not
// fit in a QR symbol (over ~2300 bytes at level M).
std::optional<QrModules> qr_encode(std::string_view text);

// "data:image/png;base64,..." of the QR code of `text` (RFC 2397), or nullopt as qr_encode.
std::optional<std::string> qr_data_url(std::string_view text);

}  // namespace mallard::auth
