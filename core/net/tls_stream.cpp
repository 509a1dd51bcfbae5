#include "core/net/tls_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mallard::core::net {

TlsStream::TlsStream(int fd, std::shared_ptr<TlsContext> context, Role role, const std::string& server_name)
    : context_(std::move(context)), ssl_(SSL_new(context_->native())) {
    if (!ssl_) throw std::runtime_error("SSL_new: " + openssl_errors());
    SSL_set_fd(ssl_, fd);
    if (role == Role::server) {
        SSL_set_accept_state(ssl_);
    } else {
        if (!server_name.empty()) SSL_set_tlsext_host_name(ssl_, server_name.c_str());
        SSL_set_connect_state(ssl_);
    }
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

IoOutcome TlsStream::map_error(int ret) {
    int err = SSL_get_error(ssl_, ret);
    switch (err) {
        case SSL_ERROR_WANT_READ: return IoOutcome::need(IoStatus::want_read);
        case SSL_ERROR_WANT_WRITE: return IoOutcome::need(IoStatus::want_write);
        case SSL_ERROR_ZERO_RETURN: return IoOutcome::need(IoStatus::eof);
        case SSL_ERROR_SYSCALL:
            // An unexpected EOF or a reset: the peer went away.
            error_ = errno ? std::strerror(errno) : "unexpected EOF";
            ERR_clear_error();
            return IoOutcome::need(IoStatus::eof);
        default:
            error_ = openssl_errors();
            return IoOutcome::need(IoStatus::error);
    }
}

IoOutcome TlsStream::handshake() {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r == 1) return IoOutcome::done(0);
    return map_error(r);
}

void TlsStream::shutdown() {
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
}

IoOutcome TlsStream::read(char* buf, std::size_t len) {
    ERR_clear_error();
    errno = 0;
    std::size_t n = 0;
    int r = SSL_read_ex(ssl_, buf, len, &n);
    if (r == 1) return IoOutcome::done(n);
    return map_error(r);
}

IoOutcome TlsStream::write(const char* data, std::size_t len) {
    if (len == 0) return IoOutcome::done(0);
    ERR_clear_error();
    errno = 0;
    std::size_t n = 0;
    int r = SSL_write_ex(ssl_, data, len, &n);
    if (r == 1) return IoOutcome::done(n);
    return map_error(r);
}

bool TlsStream::has_buffered_input() const { return SSL_has_pending(ssl_) == 1; }

std::string TlsStream::protocol() const { return SSL_get_version(ssl_); }

std::string TlsStream::cipher() const {
    const char* c = SSL_get_cipher_name(ssl_);
    return c ? c : "";
}

}  // namespace mallard::core::net
