#include "core/net/listener.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mallard::core::net {

Result<int> open_listener(const SocketAddress& address, int backlog) {
    int fd = ::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Error(Errc::io, std::string("socket: ") + std::strerror(errno));
    int one = 1, zero = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (address.family() == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) < 0) {
        int e = errno;
        ::close(fd);
        std::string detail = std::strerror(e);
        if (e == EACCES) detail += " (ports below 1024 need root or CAP_NET_BIND_SERVICE; see server.port_offset)";
        return Error(e == EADDRINUSE ? Errc::exists : Errc::io, detail);
    }
    if (::listen(fd, backlog) < 0) {
        int e = errno;
        ::close(fd);
        return Error(Errc::io, std::string("listen: ") + std::strerror(e));
    }
    return fd;
}

}  // namespace mallard::core::net
