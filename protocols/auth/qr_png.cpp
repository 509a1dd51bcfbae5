// See qr_png.h.
#include "protocols/auth/qr_png.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>

#include "storage/mime/base64.h"

#ifdef MALLARD_HAVE_QRENCODE
#include <qrencode.h>
#endif

namespace mallard::auth {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
    out.push_back(static_cast<char>(v >> 24));
    out.push_back(static_cast<char>((v >> 16) & 0xff));
    out.push_back(static_cast<char>((v >> 8) & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
}

// A PNG chunk: length, type, data, and the CRC-32 of type and data (PNG §5.3; zlib's crc32 is that CRC).
void put_chunk(std::string& out, const char (&type)[5], const std::string& data) {
    put_u32(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t crc_from = out.size();
    out.append(type, 4);
    out += data;
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + crc_from), static_cast<uInt>(out.size() - crc_from));
    put_u32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

std::string render_qr_png(const QrModules& modules, int scale) {
    scale = std::clamp(scale, 1, 16);
    const int side_modules = modules.width + 2 * qr_quiet_zone;
    const int side = side_modules * scale;
    const std::size_t row_bytes = (static_cast<std::size_t>(side) + 7) / 8;

    // Scanlines, each led by filter type 0 (None): 1-bit gray, 1 is white, so rows start all white and dark
    // modules clear their bits. Light outside the symbol is the quiet zone.
    std::string raw((row_bytes + 1) * static_cast<std::size_t>(side), '\0');
    for (int y = 0; y < side; ++y) {
        char* row = raw.data() + static_cast<std::size_t>(y) * (row_bytes + 1);
        std::fill(row + 1, row + 1 + row_bytes, static_cast<char>(0xff));
        const int my = y / scale - qr_quiet_zone;
        if (my < 0 || my >= modules.width) continue;
        for (int x = 0; x < side; ++x) {
            const int mx = x / scale - qr_quiet_zone;
            if (mx < 0 || mx >= modules.width) continue;
            if (!modules.dark[static_cast<std::size_t>(my) * static_cast<std::size_t>(modules.width) +
                              static_cast<std::size_t>(mx)])
                continue;
            row[1 + x / 8] = static_cast<char>(static_cast<unsigned char>(row[1 + x / 8]) & ~(0x80u >> (x % 8)));
        }
    }

    uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
    std::string packed(packed_size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, reinterpret_cast<const Bytef*>(raw.data()),
                  static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK)
        return {};  // only on out-of-memory: the buffer is compressBound-sized
    packed.resize(packed_size);

    std::string png("\x89PNG\r\n\x1a\n", 8);
    std::string header;
    put_u32(header, static_cast<std::uint32_t>(side));
    put_u32(header, static_cast<std::uint32_t>(side));
    header.push_back(1);     // bit depth
    header.push_back(0);     // colour type 0: grayscale
    header.push_back(0);     // compression: deflate
    header.push_back(0);     // filter method 0
    header.push_back(0);     // no interlace
    put_chunk(png, "IHDR", header);
    put_chunk(png, "IDAT", packed);
    put_chunk(png, "IEND", {});
    return png;
}

#ifdef MALLARD_HAVE_QRENCODE

bool qr_available() { return true; }

std::optional<QrModules> qr_encode(std::string_view text) {
    // QRcode_encodeString splits the text into the densest modes (an otpauth URL is mostly alphanumeric) and
    // picks the smallest version; it stops at a NUL, which a percent-encoded URL never holds.
    const std::string terminated(text);
    QRcode* code = QRcode_encodeString(terminated.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!code) return std::nullopt;  // too long for version 40, or out of memory
    QrModules out;
    out.width = code->width;
    out.dark.resize(static_cast<std::size_t>(code->width) * static_cast<std::size_t>(code->width));
    // Bit 0 of each byte is the module's colour; the other bits say which function pattern it belongs to.
    for (std::size_t i = 0; i < out.dark.size(); ++i) out.dark[i] = (code->data[i] & 1) != 0;
    QRcode_free(code);
    return out;
}

#else

// Built without libqrencode: no QR code, and the set-up answer leaves `qrcode` out.
bool qr_available() { return false; }

std::optional<QrModules> qr_encode(std::string_view) { return std::nullopt; }

#endif

std::optional<std::string> qr_data_url(std::string_view text) {
    auto modules = qr_encode(text);
    if (!modules) return std::nullopt;
    std::string png = render_qr_png(*modules);
    if (png.empty()) return std::nullopt;
    storage::mime::Base64Layout one_line;
    one_line.line_length = 0;
    one_line.trailing_newline = false;
    return "data:image/png;base64," + storage::mime::encode_base64(png, one_line);
}

}  // namespace mallard::auth
