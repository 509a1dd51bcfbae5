// Loads the configuration: the compiled-in config/default.toml, an optional override merged over it, then
// one walk of the merged tree against the schema below. The only translation unit that includes toml11.
//
// Every value in the merged tree keeps the source region toml11 gave it, so a problem is reported at the
// file and line the value came from. All problems are collected and reported together, in file order.
#include "config/loader.h"
#include "config/units.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <toml.hpp>

namespace mallard::config {

// Generated from config/default.toml by config/CMakeLists.txt.
std::string_view default_toml_text();

namespace {

constexpr const char* default_name = "default.toml";
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();

// ---- Problems -------------------------------------------------------------------------------------------

struct Problem {
    std::string file;
    std::uint_least32_t line = 0;
    std::uint_least32_t column = 0;
    std::string text;  // "KEY: what is wrong"
};

class Problems {
public:
    void add(const toml::value& at, std::string_view key, const std::string& what) {
        const toml::source_location where = at.location();
        list_.push_back({where.file_name(), where.line(), where.column(), std::string(key) + ": " + what});
    }
    bool empty() const { return list_.empty(); }

    // One "FILE:LINE: KEY: what" line per problem, in file order.
    core::Error error() {
        std::stable_sort(list_.begin(), list_.end(), [](const Problem& a, const Problem& b) {
            if (a.file != b.file) return a.file < b.file;
            if (a.line != b.line) return a.line < b.line;
            return a.column < b.column;
        });
        std::string detail;
        for (const Problem& p : list_) {
            if (!detail.empty()) detail += '\n';
            detail += p.file + ':' + std::to_string(p.line) + ": " + p.text;
        }
        return core::Error(core::Errc::bad_input, std::move(detail));
    }

private:
    std::vector<Problem> list_;
};

// ---- Schema ---------------------------------------------------------------------------------------------

static_assert(std::is_same_v<unsigned, std::uint32_t>, "counts declared unsigned are read as uint32_t");

// Where a key's converted value goes; the pointer type decides how the TOML value is read:
// uint16_t = port, uint32_t = count, uint64_t = size in bytes, seconds = duration.
using Target = std::variant<bool*, std::string*, std::uint16_t*, std::uint32_t*, std::uint64_t*,
                            std::chrono::seconds*, LogLevel*, std::vector<std::string>*>;

struct Field {
    std::string key;                              // dotted path in the TOML tree
    Target target;
    std::int64_t min = 0;                         // numbers: in the field's unit (bytes, seconds)
    std::int64_t max = 0;                         // 0 = as large as the target type allows
    std::vector<std::string_view> choices = {};   // strings: the accepted values; empty = any
};

struct NamedListener {
    const char* table;
    Listener* listener;
};

std::array<NamedListener, 6> listeners(Config& c) {
    return {{{"imap.plain", &c.imap.plain},
             {"imap.secure", &c.imap.secure},
             {"pop3.plain", &c.pop3.plain},
             {"pop3.secure", &c.pop3.secure},
             {"lmtp.listen", &c.lmtp.listener},
             {"http.listen", &c.http.listener}}};
}

constexpr std::int64_t kib = 1024;

// Every key of mallard.toml(5), bound to the Config member it fills. Keep in step with default.toml.
std::vector<Field> schema(Config& c) {
    std::vector<Field> f{
        // key                                 target                                 min        max
        {"server.hostname",                    &c.server.hostname},
        {"server.workers",                     &c.server.workers,                     0,         1024},
        {"server.pool_threads",                &c.server.pool_threads,                0,         1024},
        {"server.data_dir",                    &c.server.data_dir},
        {"server.port_offset",                 &c.server.port_offset},
        {"server.shutdown_grace",              &c.server.shutdown_grace},
        {"tls.cert_file",                      &c.tls.cert_file},
        {"tls.key_file",                       &c.tls.key_file},
        {.key = "tls.min_version", .target = &c.tls.min_version, .choices = {"TLSv1.2", "TLSv1.3"}},
        {"tls.ciphers",                        &c.tls.ciphers},
        {"imap.starttls",                      &c.imap.starttls},
        {"imap.login_disabled_without_tls",    &c.imap.login_disabled_without_tls},
        {"imap.autologout",                    &c.imap.autologout,                    30 * 60},
        {"imap.preauth_timeout",               &c.imap.preauth_timeout,               1},
        {"imap.max_line_bytes",                &c.imap.max_line_bytes,                kib},
        {"imap.max_literal_bytes",             &c.imap.max_literal_bytes,             1},
        {"imap.compress",                      &c.imap.compress},
        {"imap.poll_interval",                 &c.imap.poll_interval,                 1},
        {"imap.max_connections_per_user",      &c.imap.max_connections_per_user},
        {"imap.max_connections_per_address",   &c.imap.max_connections_per_address},
        {"pop3.starttls",                      &c.pop3.starttls},
        {"pop3.max_messages",                  &c.pop3.max_messages,                  1},
        {"pop3.delete_to_trash",               &c.pop3.delete_to_trash},
        {"pop3.idle_timeout",                  &c.pop3.idle_timeout,                  1},
        {"pop3.max_line_bytes",                &c.pop3.max_line_bytes,                512},
        {"pop3.max_connections_per_user",      &c.pop3.max_connections_per_user},
        {"pop3.max_connections_per_address",   &c.pop3.max_connections_per_address},
        {"lmtp.unix_socket",                   &c.lmtp.unix_socket},
        {"lmtp.max_message_bytes",             &c.lmtp.max_message_bytes,             1},
        {"lmtp.max_recipients",                &c.lmtp.max_recipients,                1},
        {"lmtp.idle_timeout",                  &c.lmtp.idle_timeout,                  1},
        {"lmtp.spam_headers",                  &c.lmtp.spam_headers},
        {"http.access_token",                  &c.http.access_token},
        {"http.max_body_bytes",                &c.http.max_body_bytes,                1},
        {"http.max_header_bytes",              &c.http.max_header_bytes,              kib},
        {"http.request_timeout",               &c.http.request_timeout,               1},
        {"http.idle_timeout",                  &c.http.idle_timeout,                  1},
        {"http.max_url_bytes",                 &c.http.max_url_bytes,                 256},
        {"http.cors_origins",                  &c.http.cors_origins},
        {"limits.max_connections",             &c.limits.max_connections,             1},
        {"limits.write_queue_bytes",           &c.limits.write_queue_bytes,           4 * kib},
        {"limits.default_quota_bytes",         &c.limits.default_quota_bytes},
        {"auth.argon2_time_cost",              &c.auth.argon2_time_cost,              1,         100},
        {"auth.argon2_memory",                 &c.auth.argon2_memory_bytes,           64 * kib,  4 * kib * kib * kib},
        {"auth.argon2_parallelism",            &c.auth.argon2_parallelism,            1,         64},
        {"auth.max_failures_per_user",         &c.auth.max_failures_per_user},
        {"auth.max_failures_per_address",      &c.auth.max_failures_per_address},
        {"auth.failure_window",                &c.auth.failure_window,                1},
        {"auth.authlog_keep",                  &c.auth.authlog_keep,                  3600},
        {"auth.totp_issuer",                   &c.auth.totp_issuer},
        {.key = "storage.backend", .target = &c.storage.backend, .choices = {"sqlite", "mongodb"}},
        {"storage.sqlite_sync_full",           &c.storage.sqlite_sync_full},
        {"storage.sqlite_connections",         &c.storage.sqlite_connections,         1,         1024},
        {"storage.attachment_min_bytes",       &c.storage.attachment_min_bytes},
        {"redis.enabled",                      &c.redis.enabled},
        {"redis.host",                         &c.redis.host},
        {"redis.port",                         &c.redis.port},
        {"redis.db",                           &c.redis.db},
        {"redis.password",                     &c.redis.password},
        {"redis.channel_prefix",               &c.redis.channel_prefix},
        {"redis.reconnect_max",                &c.redis.reconnect_max,                1},
        {"redis.outage_poll_interval",         &c.redis.outage_poll_interval,         1},
        {"redis.command_timeout",              &c.redis.command_timeout,              1,         60},
        {"redis.instance_timeout",             &c.redis.instance_timeout,             1,         3600},
        {"mongodb.uri",                        &c.mongodb.uri},
        {"mongodb.database",                   &c.mongodb.database},
        {"log.level",                          &c.log.level},
        {"log.file",                           &c.log.file},
    };
    for (const NamedListener& l : listeners(c)) {
        const std::string t = l.table;
        f.push_back({t + ".enabled", &l.listener->enabled});
        f.push_back({t + ".host", &l.listener->host});
        f.push_back({t + ".port", &l.listener->port});
        f.push_back({t + ".tls", &l.listener->tls});
        f.push_back({t + ".proxy_protocol", &l.listener->proxy_protocol});
    }
    return f;
}

// The schema's keys and the tables that hold them, for the unknown-key walk.
class KeySet {
public:
    explicit KeySet(const std::vector<Field>& fields) {
        for (const Field& f : fields) {
            leaves_.insert(f.key);
            for (std::size_t dot = f.key.find('.'); dot != std::string::npos; dot = f.key.find('.', dot + 1))
                tables_.insert(f.key.substr(0, dot));
        }
    }
    bool is_leaf(const std::string& key) const { return leaves_.count(key) != 0; }
    bool is_table(const std::string& key) const { return tables_.count(key) != 0; }

    // The last components of the known keys directly inside `table` ("" = the root).
    std::vector<std::string> children(const std::string& table) const {
        std::vector<std::string> out;
        for (const auto* set : {&leaves_, &tables_}) {
            for (const std::string& key : *set) {
                const std::size_t dot = key.rfind('.');
                const std::string parent = dot == std::string::npos ? "" : key.substr(0, dot);
                if (parent == table) out.push_back(dot == std::string::npos ? key : key.substr(dot + 1));
            }
        }
        return out;
    }

private:
    std::set<std::string> leaves_;
    std::set<std::string> tables_;
};

// ---- Reading values -------------------------------------------------------------------------------------

std::string type_name(const toml::value& v) {
    switch (v.type()) {
        case toml::value_t::boolean: return "a boolean";
        case toml::value_t::integer: return "an integer";
        case toml::value_t::floating: return "a float";
        case toml::value_t::string: return "a string";
        case toml::value_t::offset_datetime:
        case toml::value_t::local_datetime:
        case toml::value_t::local_date:
        case toml::value_t::local_time: return "a date or time";
        case toml::value_t::array: return "an array";
        case toml::value_t::table: return "a table";
        case toml::value_t::empty: break;
    }
    return "nothing";
}

std::string in_quotes(std::string_view s) { return '"' + std::string(s) + '"'; }

// "a, b or c"
std::string one_of(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i != 0) out += i + 1 == names.size() ? " or " : ", ";
        out += names[i];
    }
    return out;
}

// Unit strings ("64K", "30m") are parsed by config/units.h, shared with the tools.
std::optional<std::int64_t> parse_scaled(std::string_view s, bool size) {
    return size ? parse_size_units(s) : parse_duration_units(s);
}

enum class Kind { count, bytes, seconds };

constexpr const char* duration_help =
    "a duration is whole seconds or a string with a unit s, m, h or d, like \"30s\", \"5m\", \"2h\", \"1d\"";
constexpr const char* size_help =
    "a size is a number of bytes or a string with a unit K, KiB, M, MiB, G or GiB, like \"64K\", \"16MiB\", \"1G\"";

// Converts one value into its Field's target, or records why it cannot.
class Reader {
public:
    Reader(const toml::value& v, const Field& f, Problems& p) : v_(v), f_(f), problems_(p) {}

    void operator()(bool* out) const {
        if (!v_.is_boolean()) return wrong_type("a boolean (true or false)");
        *out = v_.as_boolean();
    }
    void operator()(std::string* out) const {
        if (!v_.is_string()) return wrong_type("a string");
        const std::string& s = v_.as_string().str;
        if (!f_.choices.empty() && std::find(f_.choices.begin(), f_.choices.end(), s) == f_.choices.end())
            return problem(in_quotes(s) + " is not accepted: use " + one_of(f_.choices));
        *out = s;
    }
    void operator()(std::uint16_t* out) const {
        if (auto n = number(Kind::count, 65535)) *out = static_cast<std::uint16_t>(*n);
    }
    void operator()(std::uint32_t* out) const {
        if (auto n = number(Kind::count, std::numeric_limits<std::uint32_t>::max()))
            *out = static_cast<std::uint32_t>(*n);
    }
    void operator()(std::uint64_t* out) const {
        if (auto n = number(Kind::bytes, int64_max - 1)) *out = static_cast<std::uint64_t>(*n);
    }
    void operator()(std::chrono::seconds* out) const {
        if (auto n = number(Kind::seconds, int64_max - 1)) *out = std::chrono::seconds(*n);
    }
    void operator()(LogLevel* out) const {
        static const std::vector<std::string_view> names{"trace", "debug", "info", "warn", "error"};
        static constexpr LogLevel levels[] = {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn,
                                              LogLevel::error};
        if (!v_.is_string()) return wrong_type("a string");
        const std::string& s = v_.as_string().str;
        const auto it = std::find(names.begin(), names.end(), s);
        if (it == names.end()) return problem(in_quotes(s) + " is not a log level: use " + one_of(names));
        *out = levels[it - names.begin()];
    }
    void operator()(std::vector<std::string>* out) const {
        if (!v_.is_array()) return wrong_type("an array of strings");
        std::vector<std::string> list;
        bool ok = true;
        for (const toml::value& item : v_.as_array()) {
            if (item.is_string()) {
                list.push_back(item.as_string().str);
            } else {
                problems_.add(item, f_.key, "expected an array of strings, found " + type_name(item) + " in it");
                ok = false;
            }
        }
        if (ok) *out = std::move(list);
    }

private:
    void problem(const std::string& what) const { problems_.add(v_, f_.key, what); }
    void wrong_type(const std::string& expected) const {
        problem("expected " + expected + ", found " + type_name(v_));
    }

    // An integer, or for sizes and durations also a string with a unit; checked against [f_.min, max].
    std::optional<std::int64_t> number(Kind kind, std::int64_t type_max) const {
        std::int64_t n = 0;
        if (v_.is_integer()) {
            n = v_.as_integer();
        } else if (v_.is_string() && kind != Kind::count) {
            const std::string& s = v_.as_string().str;
            const auto parsed = kind == Kind::bytes ? parse_scaled(s, true) : parse_scaled(s, false);
            if (!parsed) {
                problem(in_quotes(s) + (kind == Kind::bytes ? " is not a size: " : " is not a duration: ") +
                        (kind == Kind::bytes ? size_help : duration_help));
                return std::nullopt;
            }
            n = *parsed;
        } else {
            wrong_type(kind == Kind::count   ? "an integer"
                       : kind == Kind::bytes ? "a size (bytes, or a string like \"64K\")"
                                             : "a duration (seconds, or a string like \"5m\")");
            return std::nullopt;
        }
        // toml11 clamps integer literals that overflow int64 to its limits rather than failing.
        if (n == int64_max || n == int64_min) {
            problem("number too large");
            return std::nullopt;
        }
        const std::int64_t max = f_.max != 0 ? f_.max : type_max;
        if (n < f_.min || n > max) {
            const char* unit = kind == Kind::bytes ? " bytes" : kind == Kind::seconds ? " seconds" : "";
            const std::string range = max >= int64_max - 1 ? ">= " + std::to_string(f_.min) + unit
                                                      : "between " + std::to_string(f_.min) + " and " +
                                                            std::to_string(max) + unit;
            problem("must be " + range + " (got " + std::to_string(n) + ")");
            return std::nullopt;
        }
        return n;
    }

    const toml::value& v_;
    const Field& f_;
    Problems& problems_;
};

// ---- Suggestions for misspelt keys ----------------------------------------------------------------------

// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

std::string suggestion(const std::string& name, const std::vector<std::string>& known) {
    const std::string* best = nullptr;
    std::size_t best_distance = 3;  // suggest only within two edits, and only when that is a small part
    for (const std::string& k : known) {
        const std::size_t distance = edit_distance(name, k);
        if (distance < best_distance && distance * 3 <= std::max(name.size(), k.size())) {
            best = &k;
            best_distance = distance;
        }
    }
    return best != nullptr ? " (did you mean " + in_quotes(*best) + "?)" : "";
}

// ---- The walk -------------------------------------------------------------------------------------------

// Reports keys and tables the schema does not know, and known tables given a non-table value.
void check_keys(const toml::value& table, const std::string& prefix, const KeySet& keys, Problems& problems) {
    for (const auto& [name, value] : table.as_table()) {
        const std::string key = prefix.empty() ? name : prefix + '.' + name;
        const bool plain = name.find('.') == std::string::npos;  // a quoted "a.b" is one unknown key
        if (plain && keys.is_leaf(key)) continue;
        if (plain && keys.is_table(key)) {
            if (value.is_table())
                check_keys(value, key, keys, problems);
            else
                problems.add(value, key, "expected a table, found " + type_name(value));
            continue;
        }
        problems.add(value, key,
                     (value.is_table() ? "unknown table" : "unknown key") + suggestion(name, keys.children(prefix)));
    }
}

// The value at a dotted key, or nullptr. `absent` tells a missing key from a table on the way that is not a
// table (check_keys reports the latter).
const toml::value* lookup(const toml::value& root, const std::string& key, bool& absent) {
    const toml::value* at = &root;
    std::size_t start = 0;
    absent = false;
    while (true) {
        if (!at->is_table()) return nullptr;
        const std::size_t dot = key.find('.', start);
        const std::string name = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        const auto& table = at->as_table();
        const auto it = table.find(name);
        if (it == table.end()) {
            absent = true;
            return nullptr;
        }
        at = &it->second;
        if (dot == std::string::npos) return at;
        start = dot + 1;
    }
}

void check_port_offset(Config& c, const toml::value& root, Problems& problems) {
    bool absent = false;
    const toml::value* offset = lookup(root, "server.port_offset", absent);
    if (offset == nullptr) return;
    for (const NamedListener& l : listeners(c)) {
        const unsigned port = l.listener->port;
        const unsigned sum = port + c.server.port_offset;
        if (!l.listener->enabled || port == 0 || sum <= 65535) continue;
        problems.add(*offset, "server.port_offset",
                     std::to_string(c.server.port_offset) + " moves " + l.table + ".port " + std::to_string(port) +
                         " to " + std::to_string(sum) + ", past 65535");
    }
}

// lmtp.spam_headers: "Header-Name: value prefix" each, a field name (RFC 5322 §3.6.8 ftext) before the colon.
// protocols/lmtp/spam_verdict.h reads them; this check reports a bad one at its line.
void check_spam_headers(const Config& c, const toml::value& root, Problems& problems) {
    bool absent = false;
    const toml::value* at = lookup(root, "lmtp.spam_headers", absent);
    if (at == nullptr) return;
    for (const std::string& rule : c.lmtp.spam_headers) {
        const std::size_t colon = rule.find(':');
        std::string_view name = std::string_view(rule).substr(0, colon == std::string::npos ? 0 : colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
        const bool good_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
            return ch > 32 && ch < 127 && ch != ':';
        });
        if (colon == std::string::npos || !good_name)
            problems.add(*at, "lmtp.spam_headers",
                         in_quotes(rule) + " is not \"Header-Name: value prefix\" (a header name, a colon, a value)");
    }
}

core::Result<Config> convert(const toml::value& root) {
    Config config;
    Problems problems;
    const std::vector<Field> fields = schema(config);
    check_keys(root, "", KeySet(fields), problems);
    for (const Field& f : fields) {
        bool absent = false;
        const toml::value* v = lookup(root, f.key, absent);
        if (v != nullptr)
            std::visit(Reader(*v, f, problems), f.target);
        else if (absent)
            problems.add(root, f.key, "missing: every key needs a default in config/default.toml");
    }
    check_port_offset(config, root, problems);
    check_spam_headers(config, root, problems);
    if (!problems.empty()) return problems.error();
    return config;
}

// ---- Parsing and merging --------------------------------------------------------------------------------

// toml11 reports "[error] toml::parse_x: what\n --> file\n   |\n 4 | text\n   |     ^--- detail", sometimes
// with several excerpts. The last excerpt marks where parsing failed, and is more precise than the
// exception's own location (which can be the start of the file).
core::Error syntax_error(const toml::syntax_error& e, const std::string& name) {
    std::vector<std::string> lines;
    std::istringstream in(e.what());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string what = lines.empty() ? "syntax error" : lines.front();
    if (what.rfind("[error] ", 0) == 0) what.erase(0, 8);
    if (const std::size_t colon = what.find(": "); colon != std::string::npos && what.find(' ') > colon)
        what.erase(0, colon + 2);  // toml11's function name
    std::uint_least32_t line_number = e.location().line();
    std::string excerpt;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        if (lines[i].rfind(" --> ", 0) == 0) continue;
        excerpt += '\n' + lines[i];
        const std::size_t bar = lines[i].find(" | ");
        const std::string_view number = std::string_view(lines[i]).substr(0, bar);
        const std::size_t digits = number.find_first_not_of(' ');
        if (bar != std::string::npos && digits != std::string_view::npos &&
            number.find_first_not_of("0123456789", digits) == std::string_view::npos)
            line_number = static_cast<std::uint_least32_t>(std::stoul(std::string(number.substr(digits))));
    }
    return core::Error(core::Errc::bad_input, name + ':' + std::to_string(line_number) + ": " + what + excerpt);
}

core::Result<toml::value> parse(std::string_view text, const std::string& name) {
    std::istringstream in{std::string(text)};
    try {
        return toml::parse(in, name);
    } catch (const toml::syntax_error& e) {
        return syntax_error(e, name);
    } catch (const std::exception& e) {
        return core::Error(core::Errc::bad_input, name + ": " + e.what());
    }
}

// Tables merge key by key, recursively; any other value (arrays included) replaces the one below it.
void merge(toml::value& base, const toml::value& over) {
    auto& table = base.as_table();
    for (const auto& [name, value] : over.as_table()) {
        const auto it = table.find(name);
        if (it == table.end())
            table.emplace(name, value);
        else if (it->second.is_table() && value.is_table())
            merge(it->second, value);
        else
            it->second = value;
    }
}

core::Result<Config> load_merged(const std::optional<std::string>& override_text, const std::string& name) {
    try {
        auto merged = parse(default_toml_text(), default_name);
        if (!merged) return merged.take_error();
        if (override_text) {
            auto over = parse(*override_text, name);
            if (!over) return over.take_error();
            merge(*merged, *over);
        }
        return convert(*merged);
    } catch (const std::exception& e) {
        return core::Error(core::Errc::internal, name + ": " + e.what());
    }
}

core::Result<std::string> read_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return core::Error(core::Errc::bad_input, path + ": cannot open: " + std::strerror(errno));
    std::string text;
    char chunk[16384];
    while (true) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) {
            text.append(chunk, static_cast<std::size_t>(n));
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            const int error = errno;
            ::close(fd);
            return core::Error(core::Errc::bad_input, path + ": cannot read: " + std::strerror(error));
        }
    }
    ::close(fd);
    return text;
}

}  // namespace

const std::string& default_toml() {
    static const std::string text(default_toml_text());
    return text;
}

core::Result<Config> load(const std::optional<std::string>& override_path) {
    if (!override_path) return load_merged(std::nullopt, default_name);
    auto text = read_file(*override_path);
    if (!text) return text.take_error();
    return load_merged(std::move(*text), *override_path);
}

core::Result<Config> load_from_string(const std::string& override_text, const std::string& name) {
    return load_merged(override_text, name);
}

}  // namespace mallard::config
