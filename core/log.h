// Logging with levels and a per-connection id. A line is formatted only when its level is enabled:
//   MLOG(info) << "listening on " << address;
//   MLOG_CONN(debug, conn.id()) << "C: " << line;
// Each line is written with one write(2), so lines from different threads never interleave.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

namespace mallard::core::log {

enum class Level { trace, debug, info, warn, error };

void set_level(Level level);
Level level();
inline bool enabled(Level l);
// Sends the log to a file (appended); an empty path means standard error. Returns false if it can't open.
bool set_file(const std::string& path);
// Reopens the log file (after rotation, on SIGHUP).
void reopen();
std::string_view level_name(Level level);
bool parse_level(std::string_view text, Level& out);

// A connection id: unique per process, short, printed as "c<hex>".
std::uint64_t next_connection_id();

void write(Level level, std::uint64_t connection_id, std::string_view text);

class Line {
public:
    Line(Level level, std::uint64_t connection_id = 0) : level_(level), conn_(connection_id) {}
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;
    ~Line() { write(level_, conn_, out_.str()); }
    std::ostringstream& stream() { return out_; }

private:
    Level level_;
    std::uint64_t conn_;
    std::ostringstream out_;
};

namespace detail {
extern int current_level;
}
inline bool enabled(Level l) { return static_cast<int>(l) >= detail::current_level; }

}  // namespace mallard::core::log

// A for-statement, not an if/else, so the macro nests safely under an unbraced `if` (no dangling else).
#define MLOG(lvl) MLOG_CONN(lvl, 0)

#define MLOG_CONN(lvl, conn_id)                                                                \
    for (bool mlog_once_ = ::mallard::core::log::enabled(::mallard::core::log::Level::lvl); mlog_once_; \
         mlog_once_ = false)                                                                   \
        ::mallard::core::log::Line(::mallard::core::log::Level::lvl, (conn_id)).stream()
