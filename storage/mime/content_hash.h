// Content hashes for content-addressed attachment storage: SHA-256 of the decoded content (OpenSSL).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace mallard::storage::mime {

// Streaming SHA-256: update() with pieces of any size, then finish() once.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view bytes);
    std::array<std::uint8_t, 32> finish();

private:
    evp_md_ctx_st* ctx_;
};

// The hash as 64 lower-case hex digits: the attachment's key.
std::string content_hash(std::string_view decoded);
std::string to_hex(const std::array<std::uint8_t, 32>& digest);

}  // namespace mallard::storage::mime
