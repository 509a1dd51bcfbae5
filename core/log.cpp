#include "core/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace mallard::core::log {

namespace detail {
int current_level = static_cast<int>(Level::info);
}

namespace {
std::atomic<int> out_fd{STDERR_FILENO};
std::mutex file_mutex;
std::string file_path;
std::atomic<std::uint64_t> connection_counter{0};
}  // namespace

void set_level(Level l) { detail::current_level = static_cast<int>(l); }
Level level() { return static_cast<Level>(detail::current_level); }

std::string_view level_name(Level l) {
    switch (l) {
        case Level::trace: return "trace";
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warn: return "warn";
        case Level::error: return "error";
    }
    return "?";
}

bool parse_level(std::string_view text, Level& out) {
    for (Level l : {Level::trace, Level::debug, Level::info, Level::warn, Level::error}) {
        if (text == level_name(l)) {
            out = l;
            return true;
        }
    }
    return false;
}

bool set_file(const std::string& path) {
    std::lock_guard lock(file_mutex);
    int fd = STDERR_FILENO;
    if (!path.empty()) {
        fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (fd < 0) return false;
    }
    int old = out_fd.exchange(fd);
    if (old != STDERR_FILENO) ::close(old);
    file_path = path;
    return true;
}

void reopen() {
    std::string path;
    {
        std::lock_guard lock(file_mutex);
        path = file_path;
    }
    if (!path.empty()) set_file(path);
}

std::uint64_t next_connection_id() { return connection_counter.fetch_add(1, std::memory_order_relaxed) + 1; }

void write(Level l, std::uint64_t connection_id, std::string_view text) {
    using namespace std::chrono;
    auto now = system_clock::now();
    std::time_t secs = system_clock::to_time_t(now);
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char head[96];
    int n = std::snprintf(head, sizeof head, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %-5s ", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms),
                          level_name(l).data());
    std::string line(head, static_cast<std::size_t>(n));
    if (connection_id) {
        char id[32];
        int m = std::snprintf(id, sizeof id, "[c%llx] ", static_cast<unsigned long long>(connection_id));
        line.append(id, static_cast<std::size_t>(m));
    }
    line.append(text);
    line.push_back('\n');
    [[maybe_unused]] ssize_t r = ::write(out_fd.load(), line.data(), line.size());
}

}  // namespace mallard::core::log
