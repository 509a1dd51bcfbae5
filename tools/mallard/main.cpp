// mallard: the server. Config → TLS → engine and listeners → signals (SIGTERM/SIGINT stop, SIGHUP reload).
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "config/loader.h"
#include "core/counters.h"
#include "core/engine.h"
#include "core/log.h"
#include "protocols/auth/redis_connection_limits.h"
#include "protocols/auth/redis_failure_counters.h"
#include "storage/notify/notifying_store.h"
#include "storage/notify/redis_bus.h"
#include "storage/redis/redis_client.h"
#include "storage/open_store.h"
#include "tools/mallard/handlers.h"

namespace {

using namespace mallard;
namespace fs = std::filesystem;

struct Options {
    std::optional<std::string> config_path;
    std::optional<unsigned> port_offset;
    bool check_only = false;
};

void usage(std::FILE* out) {
    std::fputs(
        "usage: mallard [--config FILE] [--port-offset N] [--check] [--version]\n"
        "  --config FILE     override the built-in defaults with the keys FILE names (see mallard.toml(5))\n"
        "  --port-offset N   add N to every listener port (e.g. 10000 for a non-root run)\n"
        "  --check           load and validate the configuration, then exit\n",
        out);
}

bool parse_args(int argc, char** argv, Options& out) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto need_value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "mallard: %s needs a value\n", name);
                return nullptr;
            }
            return argv[++i];
        };
        if (a == "--config" || a == "-c") {
            const char* v = need_value("--config");
            if (!v) return false;
            out.config_path = v;
        } else if (a == "--port-offset") {
            const char* v = need_value("--port-offset");
            if (!v) return false;
            char* end = nullptr;
            unsigned long n = std::strtoul(v, &end, 10);
            if (!*v || *end || n > 65535) {
                std::fprintf(stderr, "mallard: --port-offset must be a number from 0 to 65535\n");
                return false;
            }
            out.port_offset = static_cast<unsigned>(n);
        } else if (a == "--check") {
            out.check_only = true;
        } else if (a == "--version") {
            std::printf("mallard 0.1.0\n");
            std::exit(0);
        } else if (a == "--help" || a == "-h") {
            usage(stdout);
            std::exit(0);
        } else {
            std::fprintf(stderr, "mallard: unknown argument %s\n", a.c_str());
            usage(stderr);
            return false;
        }
    }
    return true;
}

core::Result<config::Config> load_config(const Options& options) {
    auto loaded = config::load(options.config_path);
    if (!loaded) return loaded;
    if (options.port_offset) {
        // The loader checked the file's offset; one from the command line is checked here the same way.
        loaded->server.port_offset = static_cast<std::uint16_t>(*options.port_offset);
        const config::Listener* listeners[] = {&loaded->imap.plain, &loaded->imap.secure, &loaded->pop3.plain,
                                               &loaded->pop3.secure, &loaded->lmtp.listener, &loaded->http.listener};
        for (const config::Listener* l : listeners) {
            if (l->enabled && l->port != 0 && unsigned{l->port} + *options.port_offset > 65535u)
                return core::Error(core::Errc::bad_input, "--port-offset " + std::to_string(*options.port_offset) +
                                                              " moves port " + std::to_string(l->port) +
                                                              " past 65535");
        }
    }
    if (loaded->server.hostname.empty()) {
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        loaded->server.hostname = host[0] ? host : "localhost";
    }
    return loaded;
}

// Idle-heavy hosting needs many descriptors: raise the soft limit to the hard one and say what we got.
void raise_fd_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
    rlim_t before = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != before)
        MLOG(info) << "open file limit raised from " << before << " to " << lim.rlim_cur;
    else
        MLOG(info) << "open file limit " << before << " (hard limit " << lim.rlim_max << ")";
}

// Password hashing (argon2id, 19 MiB by default, on pool threads) must give its memory back. glibc raises its
// mmap threshold to the size of the last mmapped block freed, so after the first hash every later one comes
// from the pool thread's arena and stays there. A fixed threshold keeps blocks of 1 MiB and more mmapped, so
// they are returned when freed. Measured: PSS after 1,000 logins 90 MB -> 11 MB; the price is faulting the
// pages in again, ~25 ms more per 19 MiB hash (61 -> 89 ms here).
void fix_mmap_threshold() {
    if (::mallopt(M_MMAP_THRESHOLD, 1 << 20) != 1) MLOG(warn) << "mallopt(M_MMAP_THRESHOLD) failed";
}

// TLS files from the config, or a self-signed pair in data_dir/tls/ created on first start.
core::Result<core::net::TlsOptions> tls_files(const config::Config& cfg) {
    core::net::TlsOptions tls{cfg.tls.cert_file, cfg.tls.key_file, cfg.tls.min_version, cfg.tls.ciphers};
    if (!tls.cert_file.empty()) return tls;
    fs::path dir = fs::path(cfg.server.data_dir) / "tls";
    tls.cert_file = (dir / "self-signed.crt").string();
    tls.key_file = (dir / "self-signed.key").string();
    if (fs::exists(tls.cert_file) && fs::exists(tls.key_file)) return tls;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return core::Error(core::Errc::io, "cannot create " + dir.string() + ": " + ec.message());
    auto made = core::net::write_self_signed(cfg.server.hostname, tls.cert_file, tls.key_file);
    if (!made) return made.take_error();
    MLOG(warn) << "no tls.cert_file configured: created a self-signed certificate " << tls.cert_file
               << " (clients will warn; configure a real one in [tls])";
    return tls;
}

core::Result<void> reload_tls(const config::Config& cfg, core::net::TlsProvider& provider) {
    auto files = tls_files(cfg);
    if (!files) return files.take_error();
    auto ctx = core::net::TlsContext::server(*files);
    if (!ctx) return ctx.take_error();
    provider.replace(*ctx);
    return core::success();
}

void apply_logging(const config::Config& cfg) {
    core::log::set_level(static_cast<core::log::Level>(cfg.log.level));
    if (!core::log::set_file(cfg.log.file))
        MLOG(error) << "cannot open log file " << cfg.log.file << ": " << std::strerror(errno);
}

struct ListenerPlan {
    const char* name;
    const config::Listener* listener;
    core::ConnectionHandler handler;
};

core::Result<void> open_listeners(const config::Config& cfg, core::Engine& engine, server::Services& services) {
    const std::shared_ptr<core::net::TlsProvider>& tls = services.tls;
    auto imap = server::imap_handler(services);
    auto pop3 = server::pop3_handler(services);
    auto lmtp = server::lmtp_handler(services);
    auto http = server::http_handler(services);
    const ListenerPlan plans[] = {
        {"imap", &cfg.imap.plain, imap},   {"imaps", &cfg.imap.secure, imap},
        {"pop3", &cfg.pop3.plain, pop3},   {"pop3s", &cfg.pop3.secure, pop3},
        {"lmtp", &cfg.lmtp.listener, lmtp}, {"http", &cfg.http.listener, http},
    };
    for (const auto& plan : plans) {
        const config::Listener& l = *plan.listener;
        if (!l.enabled) continue;
        std::uint16_t port = config::effective_port(cfg, l);
        auto address = core::net::parse_address(l.host, port);
        if (!address) return core::Error(core::Errc::bad_input, std::string(plan.name) + ": " + address.error().detail);
        core::ListenerSpec spec{plan.name, *address, l.tls ? tls : nullptr, plan.handler, l.proxy_protocol};
        auto bound = engine.listen(std::move(spec));
        if (!bound)
            return core::Error(bound.error().code, std::string("cannot listen for ") + plan.name + " on " + l.host +
                                                       ":" + std::to_string(port) + ": " + bound.error().detail);
        MLOG(info) << "listening for " << plan.name << " on " << l.host << ":" << *bound << (l.tls ? " (TLS)" : "")
                   << (l.proxy_protocol ? " (PROXY protocol)" : "");
    }
    // LMTP also on a Unix domain socket, whether or not its TCP listener is enabled (lmtp.unix_socket).
    if (const std::string& path = cfg.lmtp.unix_socket; !path.empty()) {
        auto address = core::net::unix_address(path);
        if (!address) return core::Error(core::Errc::bad_input, "lmtp.unix_socket: " + address.error().detail);
        auto bound = engine.listen(core::ListenerSpec{"lmtp", *address, nullptr, lmtp});
        if (!bound)
            return core::Error(bound.error().code, "cannot listen for lmtp on " + path + ": " + bound.error().detail);
        MLOG(info) << "listening for lmtp on Unix socket " << path;
    }
    return core::success();
}

// mallardctl beside this binary (a build tree: build/tools/mallardctl/), else the installed name.
std::string mallardctl_path() {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path built = self.parent_path().parent_path() / "mallardctl" / "mallardctl";
        if (fs::exists(built, ec)) {
            std::string relative = fs::relative(built, fs::current_path(), ec).string();
            return !ec && relative.rfind("..", 0) != 0 ? relative : built.lexically_normal().string();
        }
    }
    return "mallardctl";
}

void on_detached_exception(std::exception_ptr error) noexcept {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        MLOG(error) << "detached task failed: " << e.what();
    } catch (...) {
        MLOG(error) << "detached task failed with an unknown exception";
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse_args(argc, argv, options)) return 2;
    auto loaded = load_config(options);
    if (!loaded) {
        std::fprintf(stderr, "mallard: %s\n", loaded.error().detail.c_str());
        return 2;
    }
    config::Config cfg = std::move(*loaded);
    if (options.check_only) {
        std::printf("configuration OK\n");
        return 0;
    }
    apply_logging(cfg);
    core::set_detached_exception_handler(on_detached_exception);

    // Signals are taken synchronously by the main thread; every other thread inherits the blocked mask.
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);

    raise_fd_limit();
    fix_mmap_threshold();
    std::error_code ec;
    fs::create_directories(cfg.server.data_dir, ec);
    if (ec) {
        MLOG(error) << "cannot create data directory " << cfg.server.data_dir << ": " << ec.message();
        return 1;
    }

    auto tls = std::make_shared<core::net::TlsProvider>();
    if (auto loaded_tls = reload_tls(cfg, *tls); !loaded_tls) {
        MLOG(error) << "TLS: " << loaded_tls.error().to_string();
        return 1;
    }

    core::EngineOptions engine_options;
    engine_options.workers = cfg.server.workers;
    engine_options.pool_threads = cfg.server.pool_threads;
    engine_options.max_connections = cfg.limits.max_connections;
    // Declared before the engine so it is destroyed after it: the engine's pool must be joined before the
    // store it runs jobs for goes away.
    // The bus too: loops post to each other through it until the engine has stopped them.
    storage::notify::Bus bus;
    if (cfg.redis.enabled && !storage::notify::RedisBus::is_ip_address(cfg.redis.host)) {
        // hiredis would resolve a name with a blocking call.
        MLOG(error) << "redis.host must be an IP address, not " << cfg.redis.host;
        return 1;
    }
    // Redis commands for the shared counters ([redis]): declared before the limits and counters that use it,
    // so it outlives them and finishes the releases they queued. Connects on first use.
    std::unique_ptr<storage::redis::RedisClient> redis_client;
    if (cfg.redis.enabled) {
        storage::redis::RedisClientOptions client_options;
        client_options.host = cfg.redis.host;
        client_options.port = cfg.redis.port;
        client_options.db = cfg.redis.db;
        client_options.password = cfg.redis.password;
        client_options.timeout = cfg.redis.command_timeout;
        client_options.retry_max = cfg.redis.reconnect_max;
        redis_client = std::make_unique<storage::redis::RedisClient>(std::move(client_options));
    }
    // Sessions hold tokens of these until they end, so they too outlive the engine. IMAP and POP3 count
    // apart: each protocol has its own limits, and a POP3 download should not lock a user out of IMAP.
    // With [redis], every instance's sessions count together (redis_connection_limits.h).
    const auth::ConnectionLimitOptions imap_limit_options{.per_address = cfg.imap.max_connections_per_address,
                                                          .per_user = cfg.imap.max_connections_per_user};
    const auth::ConnectionLimitOptions pop3_limit_options{.per_address = cfg.pop3.max_connections_per_address,
                                                          .per_user = cfg.pop3.max_connections_per_user};
    std::unique_ptr<auth::ConnectionLimits> imap_limits, pop3_limits;
    if (redis_client) {
        auto shared_limits = [&](const auth::ConnectionLimitOptions& limits, const char* name) {
            return std::make_unique<auth::RedisConnectionLimits>(
                *redis_client, auth::RedisConnectionLimitOptions{.limits = limits,
                                                                 .prefix = cfg.redis.channel_prefix,
                                                                 .name = name,
                                                                 .instance_timeout = cfg.redis.instance_timeout});
        };
        imap_limits = shared_limits(imap_limit_options, "imap");
        pop3_limits = shared_limits(pop3_limit_options, "pop3");
    } else {
        imap_limits = std::make_unique<auth::InProcessConnectionLimits>(imap_limit_options);
        pop3_limits = std::make_unique<auth::InProcessConnectionLimits>(pop3_limit_options);
    }
    std::unique_ptr<storage::Store> store;
    // The bus's link to other instances ([redis]): made once the loops run, stopped before they stop, and
    // destroyed after the engine, since a loop may still be running a publish it posted.
    std::unique_ptr<storage::notify::RedisBus> redis;
    core::Engine engine(engine_options);
    storage::StoreOptions store_options;
    store_options.backend = cfg.storage.backend;
    store_options.data_dir = cfg.server.data_dir;
    store_options.sqlite_sync = cfg.storage.sqlite_sync_full ? storage::SqliteSync::full : storage::SqliteSync::normal;
    store_options.attachment_min_bytes = cfg.storage.attachment_min_bytes;
    auto opened_store = storage::open_store(store_options, engine.pool());
    if (!opened_store) {
        MLOG(error) << "cannot open the " << cfg.storage.backend << " store in " << cfg.server.data_dir << ": "
                    << opened_store.error().to_string();
        return 1;
    }
    // Every protocol writes through the NotifyingStore, so IMAP sessions hear of every change this process
    // makes (LMTP deliveries, POP3 deletions, other IMAP sessions) as soon as it commits.
    store = std::make_unique<storage::notify::NotifyingStore>(std::move(*opened_store), bus);
    // Failed-login counts live in Redis when it is configured, in the store otherwise: either way every
    // instance shares them.
    std::unique_ptr<auth::FailureCounters> failure_counters;
    if (redis_client)
        failure_counters = std::make_unique<auth::RedisFailureCounters>(*redis_client, cfg.redis.channel_prefix);
    else
        failure_counters = std::make_unique<auth::StoreFailureCounters>(*store);
    auth::Authenticator authenticator(*store, engine.pool(), failure_counters.get(), server::auth_options(cfg));
    server::Services services{cfg, *store, engine.pool(), tls, bus, *imap_limits, *pop3_limits, authenticator};
    if (auto opened = open_listeners(cfg, engine, services); !opened) {
        MLOG(error) << opened.error().detail;
        return 1;
    }
    engine.start();
    if (cfg.redis.enabled) {
        storage::notify::RedisBusOptions redis_options;
        redis_options.host = cfg.redis.host;
        redis_options.port = cfg.redis.port;
        redis_options.password = cfg.redis.password;
        redis_options.channel = cfg.redis.channel_prefix + "changes";
        redis_options.reconnect_max = cfg.redis.reconnect_max;
        redis_options.outage_poll = cfg.redis.outage_poll_interval;
        // Loop 0 hosts both Redis connections; the bus posts what they hear to the other loops.
        redis = std::make_unique<storage::notify::RedisBus>(bus, engine.loop(0), std::move(redis_options));
        redis->start();
        MLOG(info) << "changes are shared with other instances through Redis at " << cfg.redis.host << ":"
                   << cfg.redis.port << " (channel " << cfg.redis.channel_prefix << "changes); so are failed-login "
                   << "counts and session limits";
    } else {
        MLOG(info) << "redis disabled: changes are announced to this process's sessions only (changes by other "
                      "processes are read every imap.poll_interval)";
    }
    MLOG(info) << "mallard ready on " << engine.loop_count() << " loops, " << engine.pool().size()
               << " pool threads; data in " << fs::absolute(cfg.server.data_dir).string();
    MLOG(info) << "create the first user with: " << mallardctl_path()
               << (options.config_path ? " --config " + *options.config_path : "")
               << " user create NAME --address NAME@DOMAIN  (run from " << fs::current_path().string() << ")";

    for (;;) {
        siginfo_t info{};
        int sig = ::sigwaitinfo(&signals, &info);
        if (sig < 0) continue;
        if (sig == SIGHUP) {
            // Reloadable: logging and TLS certificates. Listeners, workers and the store need a restart.
            auto next = load_config(options);
            if (!next) {
                MLOG(error) << "reload failed, keeping the running configuration: " << next.error().detail;
                continue;
            }
            apply_logging(*next);
            core::log::reopen();
            if (auto reloaded = reload_tls(*next, *tls); !reloaded)
                MLOG(error) << "TLS reload failed, keeping the old certificates: " << reloaded.error().to_string();
            else
                MLOG(info) << "configuration and TLS certificates reloaded";
            cfg.log = next->log;
            cfg.tls = next->tls;
            continue;
        }
        MLOG(info) << "signal " << sig << ": shutting down (grace " << cfg.server.shutdown_grace.count() << "s, "
                   << core::sum_counters().connections_open << " connections open)";
        break;
    }
    // Sessions still finishing hear only this process's changes from here on; they were told to go.
    if (redis) redis->stop();
    engine.shutdown(cfg.server.shutdown_grace);
    // Redis commands still under way resume by posting to their (stopped) loop: let them before it goes.
    if (redis_client) redis_client->finish();
    auto totals = core::sum_counters();
    MLOG(info) << "stopped: " << totals.connections_accepted << " connections served, " << totals.bytes_in
               << " bytes in, " << totals.bytes_out << " bytes out";
    return 0;
}
