// See totp.h.
#include "protocols/auth/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <chrono>
#include <stdexcept>

namespace mallard::auth {

namespace {
constexpr char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string percent_encode(std::string_view s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~' || c == '@') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}
}  // namespace

std::string generate_totp_secret() {
    unsigned char key[20];
    if (RAND_bytes(key, sizeof key) != 1) throw std::runtime_error("no randomness for a TOTP secret");
    return base32_encode(std::string_view(reinterpret_cast<const char*>(key), sizeof key));
}

std::string base32_encode(std::string_view bytes) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(base32_alphabet[(acc >> bits) & 31]);
        }
    }
    if (bits > 0) out.push_back(base32_alphabet[(acc << (5 - bits)) & 31]);
    return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a';
        else if (c >= '2' && c <= '7') v = c - '2' + 26;
        else if (c == ' ' || c == '=') continue;
        else return std::nullopt;
        acc = (acc << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    return out;
}

std::string hotp_code(std::string_view secret, std::int64_t step) {
    unsigned char counter[8];
    for (int i = 7; i >= 0; --i) {
        counter[i] = static_cast<unsigned char>(step & 0xff);
        step >>= 8;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), counter, sizeof counter, mac, &mac_len);
    // RFC 4226 §5.3: dynamic truncation.
    const int offset = mac[mac_len - 1] & 0x0f;
    const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                                 (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                                 (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
    std::string code = std::to_string(binary % 1'000'000);
    return std::string(totp_digits - code.size(), '0') + code;
}

std::optional<std::int64_t> match_totp(std::string_view secret, std::string_view code, std::int64_t now_step,
                                       int window) {
    if (code.size() != totp_digits) return std::nullopt;
    std::optional<std::int64_t> found;
    // Every candidate is computed and compared in constant time, so timing tells nothing about which matched.
    for (std::int64_t step = now_step - window; step <= now_step + window; ++step) {
        std::string expected = hotp_code(secret, step);
        if (CRYPTO_memcmp(expected.data(), code.data(), totp_digits) == 0 && !found) found = step;
    }
    return found;
}

std::int64_t totp_step_now() {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return now.count() / totp_step_seconds;
}

std::string otpauth_url(std::string_view issuer, std::string_view account, std::string_view base32_secret) {
    return "otpauth://totp/" + percent_encode(issuer) + ":" + percent_encode(account) +
           "?secret=" + std::string(base32_secret) + "&issuer=" + percent_encode(issuer);
}

}  // namespace mallard::auth
