// SHA-256 through OpenSSL's EVP interface (FIPS 180-4).
#include "storage/mime/content_hash.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace mallard::storage::mime {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(ctx_);
        throw std::runtime_error("OpenSSL: SHA-256 unavailable");  // a broken library, not bad input
    }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(std::string_view bytes) {
    if (!bytes.empty()) EVP_DigestUpdate(ctx_, bytes.data(), bytes.size());
}

std::array<std::uint8_t, 32> Sha256::finish() {
    std::array<std::uint8_t, 32> digest{};
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, digest.data(), &n);
    return digest;
}

std::string to_hex(const std::array<std::uint8_t, 32>& digest) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (auto b : digest) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

std::string content_hash(std::string_view decoded) {
    Sha256 h;
    h.update(decoded);
    return to_hex(h.finish());
}

}  // namespace mallard::storage::mime
