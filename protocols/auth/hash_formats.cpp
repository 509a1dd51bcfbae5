// See hash_formats.h.
#include "protocols/auth/hash_formats.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "core/log.h"

namespace mallard::auth {

namespace {

constexpr std::uint32_t max_pbkdf2_iterations = 10'000'000;  // a stored hash must not stall a pool thread
constexpr std::size_t max_pbkdf2_bytes = 1024;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool equal_in_constant_time(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Standard base64 alphabet ('.' read as '+' for passlib), no padding required; nullopt on anything else.
std::optional<std::vector<unsigned char>> decode_b64(std::string_view text) {
    std::vector<unsigned char> out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '+' || c == '.') v = 62;
        else if (c == '/') v = 63;
        else if (c == '=') break;
        else return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<unsigned char>((acc >> bits) & 0xff));
        }
    }
    return out;
}

std::vector<std::string_view> split_dollar(std::string_view s) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = s.find('$', start);
        parts.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

Verdict unsupported(std::string_view why, std::string_view hash) {
    // The hash itself is a secret-equivalent: log its scheme only.
    MLOG(error) << "password hash: " << why << " (scheme " << hash.substr(0, hash.find('$', 1) + 1) << ")";
    return Verdict::unsupported_format;
}

}  // namespace

bool is_crypt_hash(std::string_view h) {
    return starts_with(h, "$2a$") || starts_with(h, "$2b$") || starts_with(h, "$2y$") || starts_with(h, "$5$") ||
           starts_with(h, "$6$");
}

Verdict verify_crypt(std::string_view password, const std::string& encoded_hash) {
    // crypt_r reads a NUL-terminated phrase: a password with a NUL in it can't be what was hashed.
    if (password.find('\0') != std::string_view::npos) return Verdict::mismatch;
    std::string phrase(password);
    auto data = std::make_unique<crypt_data>();  // ~32 KB: on the heap, never in a frame
    std::memset(data.get(), 0, sizeof(crypt_data));
    const char* out = crypt_r(phrase.c_str(), encoded_hash.c_str(), data.get());
    // libxcrypt returns a string starting with '*' (or NULL) for a setting it can't use.
    if (!out || out[0] == '*') return unsupported("crypt_r rejected the stored hash", encoded_hash);
    return equal_in_constant_time(out, encoded_hash) ? Verdict::match : Verdict::mismatch;
}

Verdict verify_pbkdf2(std::string_view password, std::string_view encoded_hash) {
    // "", "pbkdf2-sha512", "i=25000" | "25000", salt, hash
    auto parts = split_dollar(encoded_hash);
    if (parts.size() != 5 || !parts[0].empty()) return unsupported("malformed pbkdf2 hash", encoded_hash);
    const EVP_MD* md = parts[1] == "pbkdf2-sha512"   ? EVP_sha512()
                       : parts[1] == "pbkdf2-sha256" ? EVP_sha256()
                       : parts[1] == "pbkdf2-sha1"   ? EVP_sha1()
                       : parts[1] == "pbkdf2"        ? EVP_sha1()
                                                     : nullptr;
    if (!md) return unsupported("unknown pbkdf2 digest", encoded_hash);
    std::string_view rounds = parts[2];
    if (starts_with(rounds, "i=")) rounds.remove_prefix(2);
    std::uint32_t iterations = 0;
    auto [end, ec] = std::from_chars(rounds.data(), rounds.data() + rounds.size(), iterations);
    if (ec != std::errc() || end != rounds.data() + rounds.size() || iterations == 0 ||
        iterations > max_pbkdf2_iterations)
        return unsupported("bad pbkdf2 iteration count", encoded_hash);
    auto salt = decode_b64(parts[3]);
    auto expected = decode_b64(parts[4]);
    if (!salt || !expected || expected->empty() || expected->size() > max_pbkdf2_bytes)
        return unsupported("bad pbkdf2 salt or hash encoding", encoded_hash);
    std::vector<unsigned char> derived(expected->size());
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt->data(),
                          static_cast<int>(salt->size()), static_cast<int>(iterations), md,
                          static_cast<int>(derived.size()), derived.data()) != 1)
        return unsupported("PKCS5_PBKDF2_HMAC failed", encoded_hash);
    return CRYPTO_memcmp(derived.data(), expected->data(), derived.size()) == 0 ? Verdict::match : Verdict::mismatch;
}

}  // namespace mallard::auth
