// See server_memory.h.
#include "perf/server_memory.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace mallard::perf {
namespace {

std::optional<std::string> read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

std::optional<unsigned long long> pss_in(const std::string& text) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("Pss:", 0) != 0) continue;
        std::istringstream fields(line.substr(4));
        unsigned long long kib = 0;
        std::string unit;
        if (fields >> kib >> unit && unit == "kB") return kib;
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<unsigned long long> tcp_pages_in(const std::string& text) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("TCP:", 0) != 0) continue;
        std::istringstream fields(line.substr(4));
        std::string key;
        unsigned long long value = 0;
        while (fields >> key >> value)
            if (key == "mem") return value;
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<unsigned long long> pss_kib(int pid) {
    auto text = read_text("/proc/" + std::to_string(pid) + "/smaps_rollup");
    if (!text) return std::nullopt;
    return pss_in(*text);
}

std::optional<unsigned long long> total_pss_kib(const std::vector<int>& pids) {
    unsigned long long total = 0;
    for (int pid : pids) {
        auto kib = pss_kib(pid);
        if (!kib) return std::nullopt;
        total += *kib;
    }
    return total;
}

std::optional<unsigned long long> kernel_tcp_kib() {
    auto text = read_text("/proc/net/sockstat");
    if (!text) return std::nullopt;
    auto pages = tcp_pages_in(*text);
    if (!pages) return std::nullopt;
    return *pages * static_cast<unsigned long long>(::sysconf(_SC_PAGESIZE)) / 1024;
}

}  // namespace mallard::perf
