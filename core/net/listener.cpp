#include "core/net/listener.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

namespace {

// Whether a process accepts on the socket file at `address` (a blocking connect to a local socket answers
// at once: refused when nobody listens).
bool someone_listens(const SocketAddress& address) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    bool alive = ::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) == 0 ||
                 errno == EAGAIN;  // a full backlog: alive, just busy
    ::close(fd);
    return alive;
}

}  // namespace

Result<int> open_unix_listener(const std::string& path, int backlog) {
    auto address = unix_address(path);
    if (!address) return address.take_error();
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) return Error(Errc::exists, path + " exists and is not a socket");
        if (someone_listens(*address)) return Error(Errc::exists, "another process accepts on " + path);
        if (::unlink(path.c_str()) < 0 && errno != ENOENT)
            return Error(Errc::io, "removing the stale socket " + path + ": " + std::strerror(errno));
    }
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Error(Errc::io, std::string("socket: ") + std::strerror(errno));
    auto fail = [&](const char* what) {
        int e = errno;
        ::close(fd);
        return Error(e == EADDRINUSE ? Errc::exists : Errc::io, std::string(what) + " " + path + ": " + std::strerror(e));
    };
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address->storage), address->length) < 0) return fail("bind");
    // Before listen(): until then a connect is refused, so the mode is right before anyone gets in.
    if (::chmod(path.c_str(), 0660) < 0) {
        auto error = fail("chmod");
        ::unlink(path.c_str());
        return error;
    }
    if (::listen(fd, backlog) < 0) {
        auto error = fail("listen");
        ::unlink(path.c_str());
        return error;
    }
    return fd;
}

}  // namespace mallard::core::net
