// For tests: a throw-away redis-server on a free loopback port (no persistence), killed at the end, and
// whether one is installed at all (tools/setup.sh installs it; tests skip without it).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

extern char** environ;

namespace mallard::storage::redis::test {

// A loopback port nothing listens on (bound, then closed: the kernel won't hand it out again at once).
inline std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

inline bool have_redis_server() { return std::system("command -v redis-server >/dev/null 2>&1") == 0; }

class RedisServer {
public:
    explicit RedisServer(std::uint16_t port) : port_(port) { start(); }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;
    ~RedisServer() { kill(); }

    // Starts the server and waits (up to 5 s) until it accepts connections; `ok` says whether it did.
    void start() {
        std::string p = std::to_string(port_);
        const char* argv[] = {"redis-server", "--port", p.c_str(), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--loglevel", "warning", nullptr};
        posix_spawn_file_actions_t quiet;
        posix_spawn_file_actions_init(&quiet);
        posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
        ok = ::posix_spawnp(&pid_, "redis-server", &quiet, nullptr, const_cast<char**>(argv), environ) == 0;
        posix_spawn_file_actions_destroy(&quiet);
        if (!ok) {
            pid_ = -1;
            return;
        }
        ok = false;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!ok && std::chrono::steady_clock::now() < deadline) {
            int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            a.sin_port = htons(port_);
            ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
            ::close(fd);
            if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    void kill() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    bool ok = false;

private:
    std::uint16_t port_;
    pid_t pid_ = -1;
};

}  // namespace mallard::storage::redis::test
