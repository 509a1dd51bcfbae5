#include "core/net/tls_context.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fcntl.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <memory>

namespace mallard::core::net {

std::string openssl_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

namespace {

Error tls_error(const std::string& what) { return Error(Errc::tls, what + ": " + openssl_errors()); }

// Modes every Mallard SSL object needs: partial writes from a moving queue, and buffers released while
// idle (an idle server-side SSL drops from ~46 KB to ~14 KB).
void set_common_modes(SSL_CTX* ctx) {
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
}

}  // namespace

Result<std::shared_ptr<TlsContext>> TlsContext::server(const TlsOptions& options) {
    SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
    if (!raw) return tls_error("SSL_CTX_new");
    auto ctx = std::make_shared<TlsContext>(raw);
    set_common_modes(raw);
    int min = TLS1_2_VERSION;
    if (options.min_version == "TLSv1.3") min = TLS1_3_VERSION;
    else if (!options.min_version.empty() && options.min_version != "TLSv1.2")
        return Error(Errc::bad_input, "tls.min_version must be TLSv1.2 or TLSv1.3");
    SSL_CTX_set_min_proto_version(raw, min);
    if (!options.ciphers.empty() && SSL_CTX_set_cipher_list(raw, options.ciphers.c_str()) != 1)
        return tls_error("tls.ciphers");
    if (SSL_CTX_use_certificate_chain_file(raw, options.cert_file.c_str()) != 1)
        return tls_error("loading certificate " + options.cert_file);
    if (SSL_CTX_use_PrivateKey_file(raw, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
        return tls_error("loading key " + options.key_file);
    if (SSL_CTX_check_private_key(raw) != 1) return tls_error("key does not match certificate");
    // No session cache: stateless instances behind a balancer can't share one; tickets still work.
    SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_OFF);
    return ctx;
}

Result<std::shared_ptr<TlsContext>> TlsContext::client(bool verify) {
    SSL_CTX* raw = SSL_CTX_new(TLS_client_method());
    if (!raw) return tls_error("SSL_CTX_new");
    auto ctx = std::make_shared<TlsContext>(raw);
    set_common_modes(raw);
    SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
    if (verify) {
        SSL_CTX_set_default_verify_paths(raw);
        SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, nullptr);
    } else {
        SSL_CTX_set_verify(raw, SSL_VERIFY_NONE, nullptr);
    }
    return ctx;
}

Result<void> write_self_signed(const std::string& hostname, const std::string& cert_file,
                               const std::string& key_file) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    if (!key) return tls_error("generating a key");
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Mallard"), -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    std::string san = "DNS:" + hostname;
    if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str())) {
        X509_add_ext(cert.get(), ext, -1);
        X509_EXTENSION_free(ext);
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return tls_error("signing the certificate");

    int kfd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);  // private: 0600
    std::unique_ptr<FILE, decltype(&std::fclose)> kf(kfd >= 0 ? ::fdopen(kfd, "w") : nullptr, std::fclose);
    if (!kf) return Error(Errc::io, "cannot create " + key_file);
    if (PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return tls_error("writing " + key_file);
    std::unique_ptr<FILE, decltype(&std::fclose)> cf(std::fopen(cert_file.c_str(), "w"), std::fclose);
    if (!cf) return Error(Errc::io, "cannot create " + cert_file);
    if (PEM_write_X509(cf.get(), cert.get()) != 1) return tls_error("writing " + cert_file);
    return success();
}

}  // namespace mallard::core::net
