// TlsContext: an OpenSSL 3 SSL_CTX built from certificate and key files, and TlsProvider, which holds the
// current context and swaps in a new one on reload (SIGHUP) while connections keep the one they started with.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "core/result.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace mallard::core::net {

struct TlsOptions {
    std::string cert_file;     // PEM chain
    std::string key_file;      // PEM private key
    std::string min_version;   // "TLSv1.2" (default) or "TLSv1.3"
    std::string ciphers;       // TLS <= 1.2 cipher list; empty = OpenSSL default
};

class TlsContext {
public:
    // Builds a server context. Slow (~1 ms): call it off the reactors (start-up, reload).
    static Result<std::shared_ptr<TlsContext>> server(const TlsOptions& options);
    // A client context (tests, benchmarks); verify = false accepts any certificate.
    static Result<std::shared_ptr<TlsContext>> client(bool verify);

    explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;
    ~TlsContext();
    SSL_CTX* native() const { return ctx_; }

private:
    SSL_CTX* ctx_;
};

class TlsProvider {
public:
    std::shared_ptr<TlsContext> current() const { return current_.load(std::memory_order_acquire); }
    void replace(std::shared_ptr<TlsContext> next) { current_.store(std::move(next), std::memory_order_release); }

private:
    std::atomic<std::shared_ptr<TlsContext>> current_;
};

// Writes a self-signed certificate and key for `hostname` (EC P-256, 10 years) to the given paths, for a
// server started without configured certificates. Clients will warn; operators are told to configure real ones.
Result<void> write_self_signed(const std::string& hostname, const std::string& cert_file,
                               const std::string& key_file);

// OpenSSL's error queue as text, emptied.
std::string openssl_errors();

}  // namespace mallard::core::net
