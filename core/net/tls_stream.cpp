#include "core/net/tls_stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace mallard::core::net {

namespace {

// OpenSSL's own socket BIO writes with write(2), which raises SIGPIPE when the peer has gone and kills the
// whole server. This BIO does what TcpStream does: send() with MSG_NOSIGNAL, recv(), EAGAIN as a retry.
int fd_of(BIO* bio) { return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio))); }

int socket_write(BIO* bio, const char* data, int len) {
    BIO_clear_retry_flags(bio);
    ssize_t n;
    do n = ::send(fd_of(bio), data, static_cast<std::size_t>(len), MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_write(bio);
    return static_cast<int>(n);
}

int socket_read(BIO* bio, char* buf, int len) {
    BIO_clear_retry_flags(bio);
    ssize_t n;
    do n = ::recv(fd_of(bio), buf, static_cast<std::size_t>(len), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(bio);
    return static_cast<int>(n);
}

long socket_ctrl(BIO* bio, int cmd, long, void* ptr) {
    switch (cmd) {
        case BIO_CTRL_FLUSH: return 1;  // nothing is buffered here
        case BIO_C_GET_FD:
            if (ptr) *static_cast<int*>(ptr) = fd_of(bio);
            return fd_of(bio);
        default: return 0;
    }
}

int socket_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

BIO_METHOD* socket_method() {
    static BIO_METHOD* const method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                     "mallard socket");
        if (!m) throw std::runtime_error("BIO_meth_new failed");
        BIO_meth_set_write(m, socket_write);
        BIO_meth_set_read(m, socket_read);
        BIO_meth_set_ctrl(m, socket_ctrl);
        BIO_meth_set_create(m, socket_create);
        return m;
    }();
    return method;
}

}  // namespace

TlsStream::TlsStream(int fd, std::shared_ptr<TlsContext> context, Role role, const std::string& server_name)
    : context_(std::move(context)), ssl_(SSL_new(context_->native())) {
    if (!ssl_) throw std::runtime_error("SSL_new: " + openssl_errors());
    BIO* bio = BIO_new(socket_method());
    if (!bio) {
        SSL_free(ssl_);
        throw std::runtime_error("BIO_new: " + openssl_errors());
    }
    BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
    SSL_set_bio(ssl_, bio, bio);  // the SSL owns the BIO; the fd stays the connection's
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
