// TlsStream: OpenSSL 3 on the connection's socket, for implicit TLS ports and STARTTLS upgrades in place.
// The context is shared and kept alive by the stream, so a certificate reload never affects it.
#pragma once

#include <memory>

#include "core/net/stream.h"
#include "core/net/tls_context.h"

typedef struct ssl_st SSL;

namespace mallard::core::net {

class TlsStream final : public Stream {
public:
    enum class Role { server, client };
    // `server_name` sets SNI for clients.
    TlsStream(int fd, std::shared_ptr<TlsContext> context, Role role, const std::string& server_name = {});
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;
    ~TlsStream() override;

    // One step of the handshake: ok when complete, or what it waits for.
    IoOutcome handshake();
    // Sends close_notify, best effort.
    void shutdown();

    IoOutcome read(char* buf, std::size_t len) override;
    IoOutcome write(const char* data, std::size_t len) override;
    bool has_buffered_input() const override;
    std::string last_error() const override { return error_; }
    std::string protocol() const;  // "TLSv1.3"
    std::string cipher() const;

private:
    IoOutcome map_error(int ret);
    std::shared_ptr<TlsContext> context_;
    SSL* ssl_;
    std::string error_;
};

}  // namespace mallard::core::net
