// mallardctl: administers users, addresses, quotas, mailboxes and delivery filters directly on the configured
// store, so the first user can be created before (and without) the HTTP API. See mallardctl(8).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "config/loader.h"
#include "config/units.h"
#include "core/log.h"
#include "core/reactor.h"
#include "core/thread_pool.h"
#include "protocols/auth/authenticator.h"
#include "protocols/auth/password.h"
#include "storage/open_store.h"

namespace {

using namespace mallard;
using core::Task;

struct Options {
    std::optional<std::string> config_path;
    std::optional<std::string> password;
    bool password_stdin = false;
    std::string address;
    std::optional<std::uint64_t> quota;
    bool primary = false;
    // filter add
    std::optional<std::string> name;
    storage::FilterQuery query;
    storage::FilterAction action;
    std::string move_to;             // a mailbox name; resolved to its id
    std::optional<std::uint64_t> larger, smaller;
    std::vector<std::string> conflicts;  // contradicting options, reported by filter add
    // asp add
    std::vector<std::string> scopes;     // --scopes imap,pop3 (default: *)
    std::optional<std::int64_t> expires_in;  // --expires 30d: seconds from now
};

struct Context {
    storage::Store& store;
    core::ThreadPool& pool;
    const Options& options;
    const config::Config& config;
};

using Args = std::vector<std::string>;
using Handler = Task<int> (*)(Context&, Args);

int fail(const std::string& what, const core::Error& error) {
    std::fprintf(stderr, "mallardctl: %s: %s\n", what.c_str(), error.to_string().c_str());
    return 1;
}

std::optional<std::uint64_t> parse_quota(const std::string& text) {
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) return std::stoull(text);
    auto n = config::parse_size_units(text);
    if (!n || *n == std::numeric_limits<std::int64_t>::max()) return std::nullopt;
    return static_cast<std::uint64_t>(*n);
}

std::string human_bytes(std::uint64_t n) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

// The password to set: --password, one line from standard input, or a generated one that is printed once.
core::Result<std::string> chosen_password(const Options& o, bool& generated) {
    generated = false;
    if (o.password) return *o.password;
    if (o.password_stdin) {
        std::string line;
        if (!std::getline(std::cin, line)) return core::Error(core::Errc::bad_input, "no password on standard input");
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }
    generated = true;
    return auth::generate_password(16);
}

// With the configured argon2id cost ([auth] argon2_*), the same the server hashes new passwords with.
Task<core::Result<std::string>> hash_on_pool(Context& c, std::string password) {
    const config::AuthConfig& cfg = c.config.auth;
    const auth::Argon2Params params{cfg.argon2_time_cost, static_cast<std::uint32_t>(cfg.argon2_memory_bytes / 1024),
                                    cfg.argon2_parallelism};
    auth::HashJob job{std::move(password), params};
    auto hashed = co_await c.pool.run(std::move(job));
    co_return hashed;
}

Task<core::Result<storage::User>> find_user(Context& c, std::string login) {
    auto user = co_await c.store.find_user_by_login(login);
    co_return user;
}

// A security change in the user's auth log (GET /users/:user/authlog); a failure to log is reported, not fatal.
Task<void> record_change(Context& c, std::string user, std::string action, std::string asp) {
    storage::AuthEvent event;
    event.user = std::move(user);
    event.action = std::move(action);
    event.result = "success";
    event.protocol = "mallardctl";
    event.asp = std::move(asp);
    auto logged = co_await c.store.record_auth_event(std::move(event), c.config.auth.authlog_keep);
    if (!logged) std::fprintf(stderr, "mallardctl: auth log: %s\n", logged.error().to_string().c_str());
}

// ---- users ----

Task<int> user_create(Context& c, Args args) {
    bool generated = false;
    auto password = chosen_password(c.options, generated);
    if (!password) co_return fail("user create", password.error());
    if (password->empty()) co_return fail("user create", core::Error(core::Errc::bad_input, "empty password"));
    auto hash = co_await hash_on_pool(c, *password);
    if (!hash) co_return fail("user create", hash.error());
    storage::NewUser user;
    user.username = args[0];
    user.password_hash = *hash;
    user.primary_address = c.options.address;
    user.quota_limit_bytes = c.options.quota ? *c.options.quota : c.config.limits.default_quota_bytes;
    auto created = co_await c.store.create_user(user);
    if (!created) co_return fail("user create " + args[0], created.error());
    std::printf("created user %s (id %s)\n", created->username.c_str(), created->id.c_str());
    if (!created->primary_address.empty()) std::printf("address: %s\n", created->primary_address.c_str());
    if (generated) std::printf("password: %s\n", password->c_str());
    auto boxes = co_await c.store.list_mailboxes(created->id);
    if (boxes) {
        std::printf("mailboxes:");
        for (const auto& b : *boxes) std::printf(" %s", b.name.c_str());
        std::printf("\n");
    }
    co_return 0;
}

Task<int> user_list(Context& c, Args) {
    auto users = co_await c.store.list_users();
    if (!users) co_return fail("user list", users.error());
    std::printf("%-24s %-32s %-22s %s\n", "USERNAME", "ADDRESS", "QUOTA USED / LIMIT", "STATE");
    for (const auto& u : *users) {
        std::string quota = human_bytes(u.quota_used_bytes) + " / " +
                            (u.quota_limit_bytes ? human_bytes(u.quota_limit_bytes) : std::string("unlimited"));
        std::printf("%-24s %-32s %-22s %s\n", u.username.c_str(), u.primary_address.c_str(), quota.c_str(),
                    u.disabled ? "disabled" : "active");
    }
    co_return 0;
}

Task<int> user_delete(Context& c, Args args) {
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("user delete " + args[0], user.error());
    auto done = co_await c.store.delete_user(user->id);
    if (!done) co_return fail("user delete " + args[0], done.error());
    std::printf("deleted user %s\n", user->username.c_str());
    co_return 0;
}

Task<int> user_password(Context& c, Args args) {
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("user password " + args[0], user.error());
    bool generated = false;
    auto password = chosen_password(c.options, generated);
    if (!password) co_return fail("user password", password.error());
    if (password->empty()) co_return fail("user password", core::Error(core::Errc::bad_input, "empty password"));
    auto hash = co_await hash_on_pool(c, *password);
    if (!hash) co_return fail("user password", hash.error());
    auto done = co_await c.store.set_password_hash(user->id, *hash);
    if (!done) co_return fail("user password " + args[0], done.error());
    co_await record_change(c, user->id, "password change", "");
    std::printf("password changed for %s\n", user->username.c_str());
    if (generated) std::printf("password: %s\n", password->c_str());
    co_return 0;
}

Task<int> user_quota(Context& c, Args args) {
    auto limit = parse_quota(args[1]);
    if (!limit) co_return fail("user quota", core::Error(core::Errc::bad_input, "not a size: " + args[1]));
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("user quota " + args[0], user.error());
    auto done = co_await c.store.set_quota_limit(user->id, *limit);
    if (!done) co_return fail("user quota " + args[0], done.error());
    std::printf("quota of %s: %s\n", user->username.c_str(), *limit ? human_bytes(*limit).c_str() : "unlimited");
    co_return 0;
}

Task<int> set_disabled(Context& c, const std::string& login, bool disabled) {
    auto user = co_await find_user(c, login);
    if (!user) co_return fail("user " + login, user.error());
    auto done = co_await c.store.set_disabled(user->id, disabled);
    if (!done) co_return fail("user " + login, done.error());
    std::printf("%s %s\n", user->username.c_str(), disabled ? "disabled" : "enabled");
    co_return 0;
}
Task<int> user_disable(Context& c, Args args) { co_return co_await set_disabled(c, args[0], true); }
Task<int> user_enable(Context& c, Args args) { co_return co_await set_disabled(c, args[0], false); }

// ---- addresses ----

Task<int> address_add(Context& c, Args args) {
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("address add", user.error());
    auto added = co_await c.store.add_address(user->id, args[1], c.options.primary);
    if (!added) co_return fail("address add " + args[1], added.error());
    std::printf("%s now receives mail for %s%s\n", user->username.c_str(), added->address.c_str(),
                added->primary ? " (primary)" : "");
    co_return 0;
}

Task<int> address_remove(Context& c, Args args) {
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("address remove", user.error());
    auto done = co_await c.store.remove_address(user->id, args[1]);
    if (!done) co_return fail("address remove " + args[1], done.error());
    std::printf("removed %s from %s\n", args[1].c_str(), user->username.c_str());
    co_return 0;
}

Task<int> address_list(Context& c, Args args) {
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("address list", user.error());
    auto list = co_await c.store.list_addresses(user->id);
    if (!list) co_return fail("address list", list.error());
    for (const auto& a : *list) std::printf("%s%s\n", a.address.c_str(), a.primary ? " (primary)" : "");
    co_return 0;
}

// ---- mailboxes ----

Task<int> mailbox_list(Context& c, Args args) {
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("mailbox list", user.error());
    auto boxes = co_await c.store.list_mailboxes(user->id);
    if (!boxes) co_return fail("mailbox list", boxes.error());
    std::printf("%-32s %-10s %12s %10s %14s\n", "MAILBOX", "SPECIAL", "UIDVALIDITY", "UIDNEXT", "HIGHESTMODSEQ");
    for (const auto& b : *boxes) {
        std::printf("%-32s %-10s %12u %10u %14llu\n", b.name.c_str(),
                    std::string(storage::special_use_name(b.special_use)).c_str(), b.uidvalidity, b.uidnext,
                    static_cast<unsigned long long>(b.highest_modseq));
    }
    co_return 0;
}

// ---- filters ----

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// "from "boss", larger than 1.0 MiB": the query as filter list shows it; "any message" when empty.
std::string describe_query(const storage::FilterQuery& q) {
    std::vector<std::string> parts;
    if (!q.from.empty()) parts.push_back("from " + quoted(q.from));
    if (!q.to.empty()) parts.push_back("to " + quoted(q.to));
    if (!q.subject.empty()) parts.push_back("subject " + quoted(q.subject));
    if (!q.list_id.empty()) parts.push_back("list-id " + quoted(q.list_id));
    if (!q.text.empty()) parts.push_back("text " + quoted(q.text));
    if (q.has_attachment) parts.push_back(*q.has_attachment ? "has attachment" : "no attachment");
    if (q.size > 0) parts.push_back("larger than " + human_bytes(static_cast<std::uint64_t>(q.size)));
    if (q.size < 0) parts.push_back("smaller than " + human_bytes(static_cast<std::uint64_t>(-(q.size + 1)) + 1));
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out.empty() ? "any message" : out;
}

std::string describe_action(const storage::FilterAction& a, const std::vector<storage::Mailbox>& boxes) {
    std::vector<std::string> parts;
    if (a.seen) parts.push_back(*a.seen ? "seen" : "not seen");
    if (a.flag) parts.push_back(*a.flag ? "flag" : "no flag");
    if (a.discard) parts.push_back(*a.discard ? "delete" : "keep");
    if (a.spam) parts.push_back(*a.spam ? "spam" : "not spam");
    if (!a.mailbox.empty()) {
        std::string name = "mailbox " + a.mailbox + " (gone: INBOX)";
        for (const auto& b : boxes)
            if (b.id == a.mailbox) name = b.name;
        parts.push_back("move to " + name);
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out.empty() ? "nothing" : out;
}

Task<int> filter_add(Context& c, Args args) {
    const Options& o = c.options;
    auto bad = [](const std::string& why) { return fail("filter add", core::Error(core::Errc::bad_input, why)); };
    if (!o.conflicts.empty()) co_return bad(o.conflicts.front());
    if (!o.name) co_return bad("--name is required");
    storage::NewFilter filter;
    filter.name = *o.name;
    filter.query = o.query;
    filter.action = o.action;
    constexpr auto max_size = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (o.larger) {
        if (*o.larger == 0 || *o.larger > max_size) co_return bad("--larger needs a size above 0");
        filter.query.size = static_cast<std::int64_t>(*o.larger);
    }
    if (o.smaller) {
        if (*o.smaller == 0 || *o.smaller > max_size) co_return bad("--smaller needs a size above 0");
        filter.query.size = -static_cast<std::int64_t>(*o.smaller);
    }
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("filter add", user.error());
    if (!o.move_to.empty()) {
        auto box = co_await c.store.find_mailbox(user->id, o.move_to);
        if (!box) co_return fail("filter add: --move " + o.move_to, box.error());
        filter.action.mailbox = box->id;
    }
    const storage::FilterAction& a = filter.action;
    if (!a.seen && !a.flag && !a.discard && !a.spam && a.mailbox.empty())
        co_return bad("give at least one action: --seen, --flag, --delete, --spam, --not-spam or --move");
    auto created = co_await c.store.create_filter(user->id, filter);
    if (!created) co_return fail("filter add", created.error());
    auto boxes = co_await c.store.list_mailboxes(user->id);
    std::vector<storage::Mailbox> names = boxes ? std::move(*boxes) : std::vector<storage::Mailbox>{};
    std::printf("added filter %s for %s: %s -> %s\n", created->id.c_str(), user->username.c_str(),
                describe_query(created->query).c_str(), describe_action(created->action, names).c_str());
    co_return 0;
}

Task<int> filter_list(Context& c, Args args) {
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("filter list", user.error());
    auto filters = co_await c.store.list_filters(user->id);
    if (!filters) co_return fail("filter list", filters.error());
    auto boxes = co_await c.store.list_mailboxes(user->id);
    std::vector<storage::Mailbox> names = boxes ? std::move(*boxes) : std::vector<storage::Mailbox>{};
    std::printf("%-8s %-24s %-9s %s\n", "ID", "NAME", "STATE", "QUERY -> ACTION (in this order)");
    for (const auto& f : *filters) {
        std::printf("%-8s %-24s %-9s %s -> %s\n", f.id.c_str(), f.name.c_str(), f.disabled ? "disabled" : "active",
                    describe_query(f.query).c_str(), describe_action(f.action, names).c_str());
    }
    co_return 0;
}

Task<int> filter_delete(Context& c, Args args) {
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("filter delete", user.error());
    auto done = co_await c.store.delete_filter(user->id, args[1]);
    if (!done) co_return fail("filter delete " + args[1], done.error());
    std::printf("deleted filter %s of %s\n", args[1].c_str(), user->username.c_str());
    co_return 0;
}

// ---- application-specific passwords ----

std::string format_time(storage::TimePoint t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
    return out;
}

Task<int> asp_add(Context& c, Args args) {
    std::vector<std::string> scopes = c.options.scopes.empty() ? std::vector<std::string>{"*"} : c.options.scopes;
    for (const auto& s : scopes)
        if (!auth::valid_scope(s))
            co_return fail("asp add", core::Error(core::Errc::bad_input, "scope " + s + ": use imap, pop3, smtp or *"));
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("asp add", user.error());
    const std::string password = auth::generate_password(16);
    auto hash = co_await hash_on_pool(c, password);
    if (!hash) co_return fail("asp add", hash.error());
    storage::NewAppPassword asp;
    asp.description = args[1];
    asp.scopes = scopes;
    asp.password_hash = *hash;
    asp.lookup = auth::asp_lookup(password);
    if (c.options.expires_in)
        asp.expires = std::chrono::system_clock::now() + std::chrono::seconds(*c.options.expires_in);
    auto created = co_await c.store.create_app_password(user->id, asp);
    if (!created) co_return fail("asp add", created.error());
    co_await record_change(c, user->id, "create asp", created->id);
    std::printf("added application password %s for %s (scopes %s%s)\n", created->id.c_str(),
                user->username.c_str(), join(created->scopes).c_str(),
                created->expires ? (", expires " + format_time(*created->expires) + " UTC").c_str() : "");
    std::printf("password: %s\n", password.c_str());  // shown once: only its hash is stored
    co_return 0;
}

Task<int> asp_list(Context& c, Args args) {
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("asp list", user.error());
    auto asps = co_await c.store.list_app_passwords(user->id);
    if (!asps) co_return fail("asp list", asps.error());
    std::printf("%-8s %-24s %-16s %-20s %s\n", "ID", "DESCRIPTION", "SCOPES", "CREATED (UTC)", "EXPIRES (UTC)");
    for (const auto& a : *asps) {
        std::printf("%-8s %-24s %-16s %-20s %s\n", a.id.c_str(), a.description.c_str(), join(a.scopes).c_str(),
                    format_time(a.created).c_str(), a.expires ? format_time(*a.expires).c_str() : "never");
    }
    co_return 0;
}

Task<int> asp_delete(Context& c, Args args) {
    auto user = co_await find_user(c, args[0]);
    if (!user) co_return fail("asp delete", user.error());
    auto done = co_await c.store.delete_app_password(user->id, args[1]);
    if (!done) co_return fail("asp delete " + args[1], done.error());
    co_await record_change(c, user->id, "delete asp", args[1]);
    // Sessions of a running server notice on their next login; the HTTP DELETE also ends open ones.
    std::printf("deleted application password %s of %s\n", args[1].c_str(), user->username.c_str());
    co_return 0;
}

struct CommandSpec {
    const char* group;
    const char* verb;
    std::size_t arguments;
    const char* usage;
    Handler handler;
};

constexpr CommandSpec commands[] = {
    {"user", "create", 1, "user create NAME [--password PW | --password-stdin] [--address ADDR] [--quota SIZE]",
     user_create},
    {"user", "list", 0, "user list", user_list},
    {"user", "delete", 1, "user delete NAME", user_delete},
    {"user", "password", 1, "user password NAME [--password PW | --password-stdin]", user_password},
    {"user", "quota", 2, "user quota NAME SIZE            (e.g. 2G; 0 = unlimited)", user_quota},
    {"user", "disable", 1, "user disable NAME", user_disable},
    {"user", "enable", 1, "user enable NAME", user_enable},
    {"address", "add", 2, "address add NAME ADDRESS [--primary]", address_add},
    {"address", "remove", 2, "address remove NAME ADDRESS", address_remove},
    {"address", "list", 1, "address list NAME", address_list},
    {"mailbox", "list", 1, "mailbox list NAME", mailbox_list},
    {"filter", "add", 1,
     "filter add NAME --name TEXT [--from S] [--to S] [--subject S] [--list-id S] [--text S]\n"
     "      [--has-attachment | --no-attachment] [--larger SIZE | --smaller SIZE]\n"
     "      [--seen] [--flag] [--delete] [--spam | --not-spam] [--move MAILBOX]",
     filter_add},
    {"filter", "list", 1, "filter list NAME", filter_list},
    {"filter", "delete", 2, "filter delete NAME ID", filter_delete},
    {"asp", "add", 2, "asp add NAME DESCRIPTION [--scopes imap,pop3,smtp|*] [--expires DURATION]", asp_add},
    {"asp", "list", 1, "asp list NAME", asp_list},
    {"asp", "delete", 2, "asp delete NAME ID", asp_delete},
};

void usage(std::FILE* out) {
    std::fprintf(out, "usage: mallardctl [--config FILE] COMMAND\n\ncommands (NAME is a username or an address):\n");
    for (const auto& c : commands) std::fprintf(out, "  %s\n", c.usage);
}

// Splits options from positional words; returns false on a malformed option.
bool parse_args(int argc, char** argv, Options& o, Args& words) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) return std::nullopt;
            return std::string(argv[++i]);
        };
        std::optional<std::string> v;
        const bool takes_value = a == "--config" || a == "--password" || a == "--address" || a == "--quota" ||
                                 a == "--name" || a == "--from" || a == "--to" || a == "--subject" ||
                                 a == "--list-id" || a == "--text" || a == "--larger" || a == "--smaller" ||
                                 a == "--move" || a == "--scopes" || a == "--expires";
        if (takes_value) {
            v = value();
            if (!v) {
                std::fprintf(stderr, "mallardctl: %s needs a value\n", a.c_str());
                return false;
            }
        }
        if (a == "--config") o.config_path = *v;
        else if (a == "--password") o.password = *v;
        else if (a == "--address") o.address = *v;
        else if (a == "--quota") {
            o.quota = parse_quota(*v);
            if (!o.quota) {
                std::fprintf(stderr, "mallardctl: --quota: not a size: %s\n", v->c_str());
                return false;
            }
        } else if (a == "--larger" || a == "--smaller") {
            auto& size = a == "--larger" ? o.larger : o.smaller;
            size = parse_quota(*v);
            if (!size) {
                std::fprintf(stderr, "mallardctl: %s: not a size: %s\n", a.c_str(), v->c_str());
                return false;
            }
            if (o.larger && o.smaller) o.conflicts.push_back("--larger and --smaller exclude each other");
        } else if (a == "--password-stdin") o.password_stdin = true;
        else if (a == "--primary") o.primary = true;
        else if (a == "--name") o.name = *v;
        else if (a == "--from") o.query.from = *v;
        else if (a == "--to") o.query.to = *v;
        else if (a == "--subject") o.query.subject = *v;
        else if (a == "--list-id") o.query.list_id = *v;
        else if (a == "--text") o.query.text = *v;
        else if (a == "--move") o.move_to = *v;
        else if (a == "--scopes") {
            for (std::size_t start = 0; start <= v->size();) {
                std::size_t end = std::min(v->find(',', start), v->size());
                if (end > start) o.scopes.push_back(v->substr(start, end - start));
                start = end + 1;
            }
        } else if (a == "--expires") {
            o.expires_in = config::parse_duration_units(*v);
            if (!o.expires_in || *o.expires_in <= 0) {
                std::fprintf(stderr, "mallardctl: --expires: not a duration: %s\n", v->c_str());
                return false;
            }
        }
        else if (a == "--has-attachment" || a == "--no-attachment") {
            const bool has = a == "--has-attachment";
            if (o.query.has_attachment && *o.query.has_attachment != has)
                o.conflicts.push_back("--has-attachment and --no-attachment exclude each other");
            o.query.has_attachment = has;
        } else if (a == "--spam" || a == "--not-spam") {
            const bool spam = a == "--spam";
            if (o.action.spam && *o.action.spam != spam)
                o.conflicts.push_back("--spam and --not-spam exclude each other");
            o.action.spam = spam;
        } else if (a == "--seen") o.action.seen = true;
        else if (a == "--flag") o.action.flag = true;
        else if (a == "--delete") o.action.discard = true;
        else if (a == "--help" || a == "-h") {
            usage(stdout);
            std::exit(0);
        } else if (a.rfind("--", 0) == 0) {
            std::fprintf(stderr, "mallardctl: unknown option %s\n", a.c_str());
            return false;
        } else words.push_back(a);
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    Args words;
    if (!parse_args(argc, argv, options, words) || words.size() < 2) {
        usage(stderr);
        return 2;
    }
    const CommandSpec* spec = nullptr;
    for (const auto& c : commands)
        if (words[0] == c.group && words[1] == c.verb) spec = &c;
    if (!spec || words.size() - 2 != spec->arguments) {
        if (spec) std::fprintf(stderr, "usage: mallardctl %s\n", spec->usage);
        else usage(stderr);
        return 2;
    }
    auto cfg = config::load(options.config_path);
    if (!cfg) {
        std::fprintf(stderr, "mallardctl: %s\n", cfg.error().detail.c_str());
        return 2;
    }
    core::log::set_level(core::log::Level::warn);
    core::ThreadPool pool(2);
    storage::StoreOptions store_options;
    store_options.backend = cfg->storage.backend;
    store_options.data_dir = cfg->server.data_dir;
    store_options.sqlite_sync = cfg->storage.sqlite_sync_full ? storage::SqliteSync::full : storage::SqliteSync::normal;
    store_options.attachment_min_bytes = cfg->storage.attachment_min_bytes;
    auto store = storage::open_store(store_options, pool);
    if (!store) return fail("opening the store in " + cfg->server.data_dir, store.error());

    core::Reactor loop;
    Context context{**store, pool, options, *cfg};
    Args rest(words.begin() + 2, words.end());
    return loop.block_on(spec->handler(context, std::move(rest)));
}
