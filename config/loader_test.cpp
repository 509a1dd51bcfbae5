// The configuration loader: defaults, override merging, value syntax, and errors naming file, line and key.
#include "config/loader.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace mallard::config {
namespace {

using namespace std::chrono_literals;

Config defaults() {
    auto config = load(std::nullopt);
    EXPECT_TRUE(config.ok()) << config.error().detail;
    return config.ok() ? *config : Config{};
}

Config load_ok(const std::string& text) {
    auto config = load_from_string(text, "override.toml");
    EXPECT_TRUE(config.ok()) << config.error().detail;
    return config.ok() ? *config : Config{};
}

std::string load_error(const std::string& text, const std::string& name = "override.toml") {
    auto config = load_from_string(text, name);
    EXPECT_FALSE(config.ok()) << "expected an error for:\n" << text;
    if (config.ok()) return {};
    EXPECT_EQ(config.error().code, core::Errc::bad_input);
    return config.error().detail;
}

std::string read_source(const std::string& path) {
    std::ifstream in(std::string(MALLARD_SOURCE_DIR) + "/" + path, std::ios::binary);
    EXPECT_TRUE(in.good()) << path;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A file in a fresh temporary directory, removed with it.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "mallard-config-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    std::string write(const std::string& name, const std::string& text) const {
        const std::string file = (path_ / name).string();
        std::ofstream(file, std::ios::binary) << text;
        return file;
    }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// ---- Defaults -------------------------------------------------------------------------------------------

TEST(ConfigDefaults, every_value_is_what_default_toml_says) {
    const Config c = defaults();
    EXPECT_EQ(c.server.hostname, "");
    EXPECT_EQ(c.server.workers, 0u);
    EXPECT_EQ(c.server.pool_threads, 0u);
    EXPECT_EQ(c.server.data_dir, "data");
    EXPECT_EQ(c.server.port_offset, 0);
    EXPECT_EQ(c.server.shutdown_grace, 10s);

    EXPECT_EQ(c.tls.cert_file, "");
    EXPECT_EQ(c.tls.key_file, "");
    EXPECT_EQ(c.tls.min_version, "TLSv1.2");
    EXPECT_EQ(c.tls.ciphers, "");

    EXPECT_TRUE(c.imap.starttls);
    EXPECT_FALSE(c.imap.login_disabled_without_tls);
    EXPECT_EQ(c.imap.autologout, 30min);
    EXPECT_EQ(c.imap.preauth_timeout, 60s);
    EXPECT_EQ(c.imap.max_line_bytes, 65536u);
    EXPECT_EQ(c.imap.max_literal_bytes, 64u << 20);
    EXPECT_TRUE(c.imap.compress);
    EXPECT_EQ(c.imap.max_connections_per_user, 15u);
    EXPECT_EQ(c.imap.max_connections_per_address, 500u);
    EXPECT_EQ(c.imap.plain, (Listener{true, "0.0.0.0", 143, false}));
    EXPECT_EQ(c.imap.secure, (Listener{true, "0.0.0.0", 993, true}));

    EXPECT_TRUE(c.pop3.starttls);
    EXPECT_EQ(c.pop3.max_messages, 250u);
    EXPECT_TRUE(c.pop3.delete_to_trash);
    EXPECT_EQ(c.pop3.idle_timeout, 10min);
    EXPECT_EQ(c.pop3.max_line_bytes, 1024u);
    EXPECT_EQ(c.pop3.max_connections_per_user, 3u);
    EXPECT_EQ(c.pop3.max_connections_per_address, 100u);
    EXPECT_EQ(c.pop3.plain, (Listener{true, "0.0.0.0", 110, false}));
    EXPECT_EQ(c.pop3.secure, (Listener{true, "0.0.0.0", 995, true}));

    EXPECT_EQ(c.lmtp.listener, (Listener{true, "127.0.0.1", 24, false}));
    EXPECT_EQ(c.lmtp.unix_socket, "");
    EXPECT_EQ(c.lmtp.max_message_bytes, 64u << 20);
    EXPECT_EQ(c.lmtp.max_recipients, 1000u);
    EXPECT_EQ(c.lmtp.idle_timeout, 5min);

    EXPECT_EQ(c.http.listener, (Listener{true, "127.0.0.1", 8080, false}));
    EXPECT_EQ(c.http.access_token, "");
    EXPECT_EQ(c.http.max_body_bytes, 64u << 20);
    EXPECT_EQ(c.http.max_header_bytes, 16384u);
    EXPECT_EQ(c.http.request_timeout, 60s);
    EXPECT_TRUE(c.http.cors_origins.empty());

    EXPECT_EQ(c.limits.max_connections, 200000u);
    EXPECT_EQ(c.limits.write_queue_bytes, 1u << 20);
    EXPECT_EQ(c.limits.default_quota_bytes, 1u << 30);

    EXPECT_EQ(c.storage.backend, "sqlite");
    EXPECT_FALSE(c.storage.sqlite_sync_full);
    EXPECT_EQ(c.storage.sqlite_connections, 4u);
    EXPECT_EQ(c.storage.attachment_min_bytes, 16384u);

    EXPECT_FALSE(c.redis.enabled);
    EXPECT_EQ(c.redis.host, "127.0.0.1");
    EXPECT_EQ(c.redis.port, 6379);
    EXPECT_EQ(c.redis.db, 0u);
    EXPECT_EQ(c.redis.password, "");
    EXPECT_EQ(c.redis.channel_prefix, "mallard:");
    EXPECT_EQ(c.redis.reconnect_max, 5s);
    EXPECT_EQ(c.redis.outage_poll_interval, 5s);
    EXPECT_EQ(c.redis.command_timeout, 2s);
    EXPECT_EQ(c.redis.instance_timeout, 15s);

    EXPECT_EQ(c.mongodb.uri, "mongodb://127.0.0.1:27017");
    EXPECT_EQ(c.mongodb.database, "mallard");

    EXPECT_EQ(c.log.level, LogLevel::info);
    EXPECT_EQ(c.log.file, "");
}

TEST(ConfigDefaults, agree_with_member_initialisers) {
    const Config loaded = defaults();
    const Config initialised;
    EXPECT_TRUE(loaded == initialised);
}

TEST(ConfigDefaults, embedded_text_is_default_toml_byte_for_byte) {
    EXPECT_EQ(default_toml(), read_source("config/default.toml"));
}

TEST(ConfigDefaults, empty_override_changes_nothing) {
    EXPECT_TRUE(load_ok("") == defaults());
    EXPECT_TRUE(load_ok("# only a comment\n\n") == defaults());
}

// ---- Overrides ------------------------------------------------------------------------------------------

TEST(ConfigOverride, one_key_changes_only_that_key) {
    Config expected = defaults();
    expected.imap.autologout = 45min;
    EXPECT_TRUE(load_ok("[imap]\nautologout = \"45m\"\n") == expected);
}

TEST(ConfigOverride, nested_listener_key_leaves_its_siblings) {
    Config expected = defaults();
    expected.imap.secure.port = 1993;
    const Config c = load_ok("[imap.secure]\nport = 1993\n");
    EXPECT_EQ(c.imap.secure, (Listener{true, "0.0.0.0", 1993, true}));
    EXPECT_TRUE(c == expected);
}

TEST(ConfigOverride, dotted_keys_and_inline_tables_merge_too) {
    Config expected = defaults();
    expected.imap.plain.host = "::";
    expected.pop3.plain.port = 1110;
    expected.log.level = LogLevel::debug;
    EXPECT_TRUE(load_ok("imap.plain.host = \"::\"\npop3.plain = { port = 1110 }\n[log]\nlevel = \"debug\"\n") ==
                expected);
}

TEST(ConfigOverride, arrays_replace_the_default) {
    const Config c = load_ok("[http]\ncors_origins = [\"https://a.example\", \"https://b.example\"]\n");
    EXPECT_EQ(c.http.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

TEST(ConfigOverride, spam_headers_replace_the_default_and_are_checked) {
    EXPECT_NE(std::find(defaults().lmtp.spam_headers.begin(), defaults().lmtp.spam_headers.end(), "X-Spam-Flag: YES"),
              defaults().lmtp.spam_headers.end());
    EXPECT_EQ(load_ok("[lmtp]\nspam_headers = [\"X-Verdict: spam\"]\n").lmtp.spam_headers,
              (std::vector<std::string>{"X-Verdict: spam"}));
    EXPECT_TRUE(load_ok("[lmtp]\nspam_headers = []\n").lmtp.spam_headers.empty());
    EXPECT_EQ(load_error("[lmtp]\nspam_headers = [\"X-Verdict\"]\n"),
              "override.toml:2: lmtp.spam_headers: \"X-Verdict\" is not \"Header-Name: value prefix\" (a header "
              "name, a colon, a value)");
    EXPECT_NE(load_error("[lmtp]\nspam_headers = [\"Bad Name: x\"]\n"), "");
}

TEST(ConfigOverride, every_type_can_be_set) {
    const Config c = load_ok(R"(
[server]
hostname = "mail.example.com"
workers = 4
port_offset = 10000
[tls]
min_version = "TLSv1.3"
[imap.plain]
enabled = false
[storage]
backend = "mongodb"
sqlite_sync_full = true
[redis]
enabled = true
port = 6380
db = 3
reconnect_max = "30s"
command_timeout = "5s"
instance_timeout = "1m"
[log]
level = "error"
file = "/var/log/mallard.log"
)");
    EXPECT_EQ(c.server.hostname, "mail.example.com");
    EXPECT_EQ(c.server.workers, 4u);
    EXPECT_EQ(c.server.port_offset, 10000);
    EXPECT_EQ(c.tls.min_version, "TLSv1.3");
    EXPECT_FALSE(c.imap.plain.enabled);
    EXPECT_EQ(c.storage.backend, "mongodb");
    EXPECT_TRUE(c.storage.sqlite_sync_full);
    EXPECT_TRUE(c.redis.enabled);
    EXPECT_EQ(c.redis.port, 6380);
    EXPECT_EQ(c.redis.db, 3u);
    EXPECT_EQ(c.redis.reconnect_max, 30s);
    EXPECT_EQ(c.redis.command_timeout, 5s);
    EXPECT_EQ(c.redis.instance_timeout, 60s);
    EXPECT_EQ(c.log.level, LogLevel::error);
    EXPECT_EQ(c.log.file, "/var/log/mallard.log");
}

TEST(ConfigOverride, load_reads_the_file) {
    TempDir dir;
    const std::string path = dir.write("mallard.toml", "[server]\nport_offset = 10000\n");
    auto c = load(path);
    ASSERT_TRUE(c.ok()) << c.error().detail;
    EXPECT_EQ(c->server.port_offset, 10000);
    EXPECT_EQ(effective_port(*c, c->imap.plain), 10143);
}

// ---- Durations and sizes --------------------------------------------------------------------------------

TEST(ConfigValues, durations_in_seconds_or_with_a_unit) {
    const std::pair<std::string, std::chrono::seconds> cases[] = {
        {"42", 42s}, {"0", 0s}, {"\"0s\"", 0s}, {"\"10s\"", 10s}, {"\"5m\"", 5min},
        {"\"30m\"", 30min}, {"\"2h\"", 2h}, {"\"1d\"", 24h}, {"\"90m\"", 90min},
    };
    for (const auto& [text, expected] : cases) {
        EXPECT_EQ(load_ok("[server]\nshutdown_grace = " + text + "\n").server.shutdown_grace, expected) << text;
    }
}

TEST(ConfigValues, bad_durations) {
    for (const std::string text : {"10", "10x", "s", "-5s", "", "5 m", "1.5h", "10S", "500ms", " 5m"}) {
        const std::string error = load_error("[server]\nshutdown_grace = \"" + text + "\"\n");
        EXPECT_NE(error.find("override.toml:2: server.shutdown_grace: \"" + text + "\" is not a duration"),
                  std::string::npos)
            << error;
    }
    EXPECT_NE(load_error("[server]\nshutdown_grace = 1.5\n").find("expected a duration"), std::string::npos);
    EXPECT_NE(load_error("[server]\nshutdown_grace = -1\n").find("must be >= 0 seconds (got -1)"),
              std::string::npos);
    EXPECT_NE(load_error("[server]\nshutdown_grace = \"99999999999999999999d\"\n").find("number too large"),
              std::string::npos);
}

TEST(ConfigValues, sizes_in_bytes_or_with_a_binary_unit) {
    const std::pair<std::string, std::uint64_t> cases[] = {
        {"12345", 12345},           {"0", 0},
        {"\"64K\"", 64ull << 10},   {"\"64KiB\"", 64ull << 10},
        {"\"64M\"", 64ull << 20},   {"\"64MiB\"", 64ull << 20},
        {"\"1G\"", 1ull << 30},     {"\"1GiB\"", 1ull << 30},
        {"\"3000G\"", 3000ull << 30},
    };
    for (const auto& [text, expected] : cases) {
        EXPECT_EQ(load_ok("[limits]\ndefault_quota_bytes = " + text + "\n").limits.default_quota_bytes, expected)
            << text;
    }
}

TEST(ConfigValues, bad_sizes) {
    for (const std::string text : {"64KB", "1T", "64k", "-1K", "K", "1 G", "64", "1.5G", "64Ki"}) {
        const std::string error = load_error("[limits]\ndefault_quota_bytes = \"" + text + "\"\n");
        EXPECT_NE(error.find("override.toml:2: limits.default_quota_bytes: \"" + text + "\" is not a size"),
                  std::string::npos)
            << error;
    }
    EXPECT_NE(load_error("[limits]\ndefault_quota_bytes = true\n").find("expected a size"), std::string::npos);
    EXPECT_NE(load_error("[limits]\ndefault_quota_bytes = 99999999999999999999\n").find("number too large"),
              std::string::npos);
}

TEST(ConfigValues, every_log_level) {
    const std::pair<std::string, LogLevel> cases[] = {{"trace", LogLevel::trace}, {"debug", LogLevel::debug},
                                                      {"info", LogLevel::info},   {"warn", LogLevel::warn},
                                                      {"error", LogLevel::error}};
    for (const auto& [name, level] : cases) EXPECT_EQ(load_ok("log.level = \"" + name + "\"").log.level, level);
}

// ---- Errors: FILE:LINE: KEY: what -----------------------------------------------------------------------

TEST(ConfigErrors, syntax_error_names_file_and_line) {
    const std::string error = load_error("[imap]\nstarttls = true\nautologout = \n");
    EXPECT_EQ(error.rfind("override.toml:3: ", 0), 0u) << error;
    EXPECT_NE(error.find("missing value"), std::string::npos) << error;  // toml11's own words
}

TEST(ConfigErrors, syntax_error_line_is_where_parsing_failed) {
    // toml11's exception points at line 1 here; its message points at line 4.
    EXPECT_EQ(load_error("[server]\nhostname = \"x\"\n\nstarted = 1979-13-45\n").rfind("override.toml:4: ", 0), 0u);
    // A key defined twice: the second definition.
    EXPECT_EQ(load_error("[log]\nlevel = \"info\"\nlevel = \"warn\"\n").rfind("override.toml:3: ", 0), 0u);
}

TEST(ConfigErrors, unknown_key_suggests_the_nearest) {
    const std::string error = load_error("[imap]\n\nautologut = 1800\n");
    EXPECT_EQ(error, "override.toml:3: imap.autologut: unknown key (did you mean \"autologout\"?)");
    EXPECT_EQ(load_error("[imap.plain]\nprot = 1\n"),
              "override.toml:2: imap.plain.prot: unknown key (did you mean \"port\"?)");
    EXPECT_EQ(load_error("[log]\nwhatever = 1\n"), "override.toml:2: log.whatever: unknown key");
    EXPECT_EQ(load_error("\"imap.plain\" = 1\n"), "override.toml:1: imap.plain: unknown key");
}

TEST(ConfigErrors, unknown_table) {
    EXPECT_EQ(load_error("# comment\n[imapp.plain]\nport = 1\n"),
              "override.toml:2: imapp: unknown table (did you mean \"imap\"?)");
    EXPECT_EQ(load_error("[lmtp.listener]\nport = 2424\n"),
              "override.toml:1: lmtp.listener: unknown table (did you mean \"listen\"?)");
    EXPECT_EQ(load_error("\n[mongo]\nuri = \"x\"\n"),
              "override.toml:2: mongo: unknown table (did you mean \"mongodb\"?)");
}

TEST(ConfigErrors, wrong_type) {
    EXPECT_EQ(load_error("[pop3]\nstarttls = \"yes\"\n"),
              "override.toml:2: pop3.starttls: expected a boolean (true or false), found a string");
    EXPECT_EQ(load_error("[server]\nhostname = 7\n"),
              "override.toml:2: server.hostname: expected a string, found an integer");
    EXPECT_EQ(load_error("[redis]\nport = \"6379\"\n"),
              "override.toml:2: redis.port: expected an integer, found a string");
    EXPECT_EQ(load_error("imap = 5\n"), "override.toml:1: imap: expected a table, found an integer");
    EXPECT_EQ(load_error("[imap]\nplain = true\n"), "override.toml:2: imap.plain: expected a table, found a boolean");
    EXPECT_EQ(load_error("[http]\ncors_origins = \"*\"\n"),
              "override.toml:2: http.cors_origins: expected an array of strings, found a string");
    EXPECT_EQ(load_error("[http]\ncors_origins = [\n  \"https://a.example\",\n  7,\n]\n"),
              "override.toml:4: http.cors_origins: expected an array of strings, found an integer in it");
}

TEST(ConfigErrors, out_of_range_numbers) {
    EXPECT_EQ(load_error("[imap.plain]\nenabled = true\nport = 70000\n"),
              "override.toml:3: imap.plain.port: must be between 0 and 65535 (got 70000)");
    EXPECT_EQ(load_error("[imap]\nmax_connections_per_address = -1\n"),
              "override.toml:2: imap.max_connections_per_address: must be between 0 and 4294967295 (got -1)");
    EXPECT_EQ(load_error("[imap]\nautologout = \"10m\"\n"),
              "override.toml:2: imap.autologout: must be >= 1800 seconds (got 600)");
    EXPECT_EQ(load_error("[limits]\nmax_connections = 4294967296\n"),
              "override.toml:2: limits.max_connections: must be between 1 and 4294967295 (got 4294967296)");
    EXPECT_EQ(load_error("[imap]\nmax_line_bytes = 100\n"),
              "override.toml:2: imap.max_line_bytes: must be >= 1024 bytes (got 100)");
    EXPECT_EQ(load_error("[server]\nworkers = 100000\n"),
              "override.toml:2: server.workers: must be between 0 and 1024 (got 100000)");
    EXPECT_EQ(load_error("[redis]\ncommand_timeout = \"0s\"\n"),
              "override.toml:2: redis.command_timeout: must be between 1 and 60 seconds (got 0)");
}

TEST(ConfigErrors, bad_duration_and_size_strings) {
    EXPECT_EQ(load_error("[lmtp]\nidle_timeout = \"5 minutes\"\n").rfind(
                  "override.toml:2: lmtp.idle_timeout: \"5 minutes\" is not a duration: a duration is whole seconds "
                  "or a string with a unit s, m, h or d",
                  0),
              0u);
    EXPECT_EQ(load_error("[http]\nmax_body_bytes = \"64MB\"\n").rfind(
                  "override.toml:2: http.max_body_bytes: \"64MB\" is not a size: a size is a number of bytes or a "
                  "string with a unit K, KiB, M, MiB, G or GiB",
                  0),
              0u);
}

TEST(ConfigErrors, bad_log_level) {
    EXPECT_EQ(load_error("[log]\nlevel = \"verbose\"\n"),
              "override.toml:2: log.level: \"verbose\" is not a log level: use trace, debug, info, warn or error");
}

TEST(ConfigErrors, unknown_storage_backend) {
    EXPECT_EQ(load_error("[storage]\nbackend = \"postgres\"\n"),
              "override.toml:2: storage.backend: \"postgres\" is not accepted: use sqlite or mongodb");
    EXPECT_EQ(load_error("[tls]\nmin_version = \"SSLv3\"\n"),
              "override.toml:2: tls.min_version: \"SSLv3\" is not accepted: use TLSv1.2 or TLSv1.3");
}

TEST(ConfigErrors, name_stands_for_the_file) {
    EXPECT_EQ(load_error("[log]\nlevel = 1\n", "--set"), "--set:2: log.level: expected a string, found an integer");
}

TEST(ConfigErrors, every_problem_is_reported_in_line_order) {
    EXPECT_EQ(load_error("[imap]\nautologout = 5\ncompres = true\n[pop3.plain]\nport = -2\n"),
              "override.toml:2: imap.autologout: must be >= 1800 seconds (got 5)\n"
              "override.toml:3: imap.compres: unknown key (did you mean \"compress\"?)\n"
              "override.toml:5: pop3.plain.port: must be between 0 and 65535 (got -2)");
}

TEST(ConfigErrors, errors_in_a_file_name_its_path) {
    TempDir dir;
    const std::string path = dir.write("mallard.toml", "[server]\n# a comment\nport_offset = \"10000\"\n");
    auto c = load(path);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().detail, path + ":3: server.port_offset: expected an integer, found a string");

    const std::string broken = dir.write("broken.toml", "[server\n");
    auto d = load(broken);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().detail.rfind(broken + ":1: ", 0), 0u) << d.error().detail;
}

TEST(ConfigErrors, missing_file_names_the_path) {
    TempDir dir;
    const std::string path = dir.path() + "/absent.toml";
    auto c = load(path);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, core::Errc::bad_input);
    EXPECT_EQ(c.error().detail, path + ": cannot open: No such file or directory");

    auto d = load(dir.path());  // a directory opens but cannot be read
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().detail, dir.path() + ": cannot read: Is a directory");
}

// ---- Port offset ----------------------------------------------------------------------------------------

TEST(ConfigPorts, effective_port_adds_the_offset) {
    const Config c = load_ok("[server]\nport_offset = 10000\n");
    EXPECT_EQ(effective_port(c, c.imap.plain), 10143);
    EXPECT_EQ(effective_port(c, c.imap.secure), 10993);
    EXPECT_EQ(effective_port(c, c.pop3.plain), 10110);
    EXPECT_EQ(effective_port(c, c.pop3.secure), 10995);
    EXPECT_EQ(effective_port(c, c.lmtp.listener), 10024);
    EXPECT_EQ(effective_port(c, c.http.listener), 18080);
    EXPECT_EQ(effective_port(defaults(), defaults().imap.plain), 143);
}

TEST(ConfigPorts, port_zero_stays_any_free_port) {
    const Config c = load_ok("[server]\nport_offset = 10000\n[http.listen]\nport = 0\n");
    EXPECT_EQ(effective_port(c, c.http.listener), 0);
}

TEST(ConfigPorts, offset_past_65535_is_an_error_naming_port_offset) {
    EXPECT_EQ(load_error("[server]\nport_offset = 60000\n"),
              "override.toml:2: server.port_offset: 60000 moves http.listen.port 8080 to 68080, past 65535");
    EXPECT_EQ(load_error("[server]\nport_offset = 1000\n[imap.secure]\nport = 65000\n"),
              "override.toml:2: server.port_offset: 1000 moves imap.secure.port 65000 to 66000, past 65535");
}

TEST(ConfigPorts, disabled_listeners_are_not_checked) {
    const Config c = load_ok("[server]\nport_offset = 60000\n[http.listen]\nenabled = false\n");
    EXPECT_EQ(effective_port(c, c.imap.secure), 60993);
}

// ---- The manual -----------------------------------------------------------------------------------------

// Every table and key of default.toml appears in mallard.toml(5): dotted in full, except the five listener
// keys, which the page describes once, listing the listener tables.
TEST(ConfigManual, documents_every_key_of_default_toml) {
    const std::string manual = read_source("man/mallard.toml.5");
    const std::set<std::string> listener_keys{"enabled", "host", "port", "tls", "proxy_protocol"};
    std::istringstream in(default_toml());
    std::string table;
    int keys = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '[') {
            table = line.substr(1, line.find(']') - 1);
            EXPECT_NE(manual.find("[" + table + "]"), std::string::npos) << table;
            continue;
        }
        const std::string key = line.substr(0, line.find(' '));
        ++keys;
        const bool in_listener = table.find('.') != std::string::npos && listener_keys.count(key) != 0;
        const std::string wanted = in_listener ? ".B " + key : table + "." + key;
        EXPECT_NE(manual.find(wanted), std::string::npos) << table << "." << key;
    }
    EXPECT_GE(keys, 50 + 6 * 4);  // the walk above really read the file (not a count to keep in step)
}

}  // namespace
}  // namespace mallard::config
