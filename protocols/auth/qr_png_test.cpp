// The QR PNG: read back chunk by chunk (signature, CRCs, IHDR), the image inflated and compared with the
// modules pixel by pixel, so a viewer or a phone camera sees what libqrencode made.
#include "protocols/auth/qr_png.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>

#include "storage/mime/base64.h"

namespace mallard::auth {
namespace {

std::uint32_t u32(const std::string& s, std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 24 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

struct Png {
    std::uint32_t width = 0, height = 0;
    int depth = 0, colour = 0;
    std::string pixels;  // inflated scanlines
    std::vector<std::string> order;
};

// Parses `file`, failing the test on a bad signature or CRC.
Png read_png(const std::string& file) {
    Png png;
    EXPECT_EQ(file.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    std::string idat;
    std::size_t at = 8;
    while (at + 12 <= file.size()) {
        const std::uint32_t len = u32(file, at);
        const std::string type = file.substr(at + 4, 4);
        const std::string data = file.substr(at + 8, len);
        uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(file.data() + at + 4), len + 4);
        EXPECT_EQ(crc, u32(file, at + 8 + len)) << type;
        png.order.push_back(type);
        if (type == "IHDR") {
            png.width = u32(data, 0);
            png.height = u32(data, 4);
            png.depth = data[8];
            png.colour = data[9];
        } else if (type == "IDAT") {
            idat += data;
        }
        at += 12 + len;
    }
    EXPECT_EQ(at, file.size());
    uLongf size = (png.width + 8) / 8 * png.height + png.height + 16;
    png.pixels.resize(size);
    EXPECT_EQ(uncompress(reinterpret_cast<Bytef*>(png.pixels.data()), &size,
                         reinterpret_cast<const Bytef*>(idat.data()), static_cast<uLong>(idat.size())),
              Z_OK);
    png.pixels.resize(size);
    return png;
}

bool dark_pixel(const Png& png, std::uint32_t x, std::uint32_t y) {
    const std::size_t row = (png.width + 7) / 8 + 1;
    const unsigned char byte = static_cast<unsigned char>(png.pixels[y * row + 1 + x / 8]);
    return (byte & (0x80u >> (x % 8))) == 0;
}

TEST(QrPng, a_png_with_valid_chunks_quiet_zone_and_scaled_modules) {
    // A 3x3 "symbol": a diagonal and one corner.
    QrModules m{3, {true, false, true, false, true, false, false, false, true}};
    const int scale = 3;
    Png png = read_png(render_qr_png(m, scale));
    EXPECT_EQ(png.order, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
    const std::uint32_t side = (3 + 2 * qr_quiet_zone) * scale;
    EXPECT_EQ(png.width, side);
    EXPECT_EQ(png.height, side);
    EXPECT_EQ(png.depth, 1);
    EXPECT_EQ(png.colour, 0);
    ASSERT_EQ(png.pixels.size(), ((side + 7) / 8 + 1) * side);
    for (std::uint32_t y = 0; y < side; ++y) {
        EXPECT_EQ(png.pixels[y * ((side + 7) / 8 + 1)], 0) << "filter type None";
        for (std::uint32_t x = 0; x < side; ++x) {
            const int mx = static_cast<int>(x) / scale - qr_quiet_zone;
            const int my = static_cast<int>(y) / scale - qr_quiet_zone;
            const bool inside = mx >= 0 && mx < 3 && my >= 0 && my < 3;
            const bool want = inside && m.dark[static_cast<std::size_t>(my * 3 + mx)];
            ASSERT_EQ(dark_pixel(png, x, y), want) << x << "," << y;
        }
    }
}

TEST(QrPng, an_otpauth_url_becomes_a_data_url_of_its_symbol) {
    const std::string url =
        "otpauth://totp/Mallard:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Mallard";
    if (!qr_available()) {
        EXPECT_FALSE(qr_data_url(url));
        GTEST_SKIP() << "built without libqrencode";
    }
    auto modules = qr_encode(url);
    ASSERT_TRUE(modules);
    // Versions 1..40 are 21..177 modules, in steps of 4.
    EXPECT_GE(modules->width, 21);
    EXPECT_EQ((modules->width - 17) % 4, 0);
    // The finder pattern's outer ring: the top-left 7x7 square's border is dark, its inner ring light.
    EXPECT_TRUE(modules->dark[0]);
    EXPECT_TRUE(modules->dark[6]);
    EXPECT_FALSE(modules->dark[static_cast<std::size_t>(modules->width) + 1]);
    auto data_url = qr_data_url(url);
    ASSERT_TRUE(data_url);
    const std::string prefix = "data:image/png;base64,";
    ASSERT_EQ(data_url->rfind(prefix, 0), 0u);
    Png png = read_png(storage::mime::decode_base64(data_url->substr(prefix.size())));
    EXPECT_EQ(png.width, static_cast<std::uint32_t>((modules->width + 2 * qr_quiet_zone) * qr_default_scale));
    EXPECT_TRUE(dark_pixel(png, qr_quiet_zone * qr_default_scale, qr_quiet_zone * qr_default_scale));
    EXPECT_FALSE(dark_pixel(png, 0, 0));
}

TEST(QrPng, text_too_long_for_any_symbol_gives_no_code) {
    EXPECT_FALSE(qr_data_url(std::string(8000, 'x')));
}

}  // namespace
}  // namespace mallard::auth
