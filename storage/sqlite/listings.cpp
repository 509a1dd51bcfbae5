// Paged listings and mailbox counters on SQLite: each page is one indexed range query (users by primary key,
// addresses by their unique lookup key) plus a COUNT for the total, instead of loading every row.
#include <algorithm>

#include "storage/sqlite/queries.h"

namespace mallard::storage::sqlite {

namespace {

std::string lower_ascii(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// The WHERE clause shared by a page, its count and its neighbours. Parameters: ?1 the lower-cased query ('' =
// any), ?2 the only user (0 = any). `key` is the sort column; `filter` the query match on ?1.
struct Listing {
    const char* from;    // "FROM users u " ...
    const char* key;     // "u.id"
    const char* filter;  // matches ?1
    const char* user;    // the user column, for ?2
    bool numeric_key;    // users: ids compare as integers
};

constexpr Listing users_listing{
    "FROM users u ", "u.id",
    "(instr(lower(u.username), ?1) > 0 OR instr(lower(COALESCE((SELECT address FROM addresses a "
    "WHERE a.user_id = u.id AND a.is_primary = 1), '')), ?1) > 0)",
    "u.id", true};

constexpr Listing addresses_listing{"FROM addresses ", "lookup", "instr(lower(address), ?1) > 0", "user_id", false};

std::string where(const Listing& l) {
    return std::string("WHERE (?1 = '' OR ") + l.filter + ") AND (?2 = 0 OR " + l.user + " = ?2) ";
}

void bind_filter(Stmt& q, const PageRequest& r) {
    q.bind(1, lower_ascii(r.query));
    std::int64_t only = 0;
    if (r.only_user) only = parse_id(*r.only_user).value_or(-1);
    q.bind(2, only);
}

void bind_key(Stmt& q, int index, const Listing& l, const std::string& key) {
    if (l.numeric_key) q.bind(index, parse_id(key).value_or(0));
    else q.bind(index, key);
}

// Whether a row sorts on the `op` side of `key` ("<" or ">").
bool any_beyond(Db& db, const Listing& l, const PageRequest& r, const char* op, const std::string& key) {
    auto q = db.prepare_uncached(std::string("SELECT 1 ") + l.from + where(l) + "AND " + l.key + " " + op +
                                 " ?3 LIMIT 1");
    bind_filter(q, r);
    bind_key(q, 3, l, key);
    return q.step();
}

// Rows of one page, in ascending key order; `read` turns a row (select columns, then the key) into an item.
template <class T, class Read>
Page<T> page(Db& db, const Listing& l, const char* columns, const PageRequest& r, Read read) {
    ReadTx tx(db);
    Page<T> out;
    {
        auto q = db.prepare_uncached(std::string("SELECT COUNT(*) ") + l.from + where(l));
        bind_filter(q, r);
        if (q.step()) out.total = static_cast<std::uint64_t>(q.i64(0));
    }
    std::string sql = std::string("SELECT ") + columns + ", " + l.key + " " + l.from + where(l);
    const bool backwards = r.before && !r.after;
    if (r.after) sql += std::string("AND ") + l.key + " > ?3 ";
    else if (r.before) sql += std::string("AND ") + l.key + " < ?3 ";
    sql += std::string("ORDER BY ") + l.key + (backwards ? " DESC" : " ASC") + " LIMIT ?4";
    auto q = db.prepare_uncached(sql);
    bind_filter(q, r);
    if (r.after || r.before) bind_key(q, 3, l, r.after ? *r.after : *r.before);
    else q.bind(3, std::int64_t{0});
    q.bind(4, static_cast<std::int64_t>(std::max<std::size_t>(r.limit, 1)));
    const int key_column = read.columns;
    while (q.step()) {
        out.items.push_back(read(q));
        out.keys.push_back(l.numeric_key ? render_id(q.i64(key_column)) : q.text(key_column));
    }
    if (backwards) {
        std::reverse(out.items.begin(), out.items.end());
        std::reverse(out.keys.begin(), out.keys.end());
    }
    if (!out.keys.empty()) {
        out.more_before = any_beyond(db, l, r, "<", out.keys.front());
        out.more_after = any_beyond(db, l, r, ">", out.keys.back());
    }
    return out;
}

struct ReadUser {
    int columns = 7;
    User operator()(const Stmt& q) const { return read_user(q); }
};

struct ReadAddress {
    int columns = 5;
    Address operator()(const Stmt& q) const { return read_address(q); }
};

}  // namespace

Result<Page<User>> list_users_page(Db& db, const PageRequest& request) {
    // user_columns reads seven columns: the same list, without its "FROM users u" (the listing adds it).
    static const std::string columns = [] {
        std::string all = std::string(user_columns).substr(7);  // after "SELECT "
        return all.substr(0, all.rfind(" FROM users u"));
    }();
    return page<User>(db, users_listing, columns.c_str(), request, ReadUser{});
}

Result<Page<Address>> list_addresses_page(Db& db, const PageRequest& request) {
    return page<Address>(db, addresses_listing, address_columns, request, ReadAddress{});
}

Result<MailboxCounters> mailbox_counters(Db& db, const MailboxId& box) {
    auto id = parse_id(box);
    if (!id) return core::Error(core::Errc::not_found, "no such mailbox");
    ReadTx tx(db);
    {
        auto q = db.prepare("SELECT 1 FROM mailboxes WHERE id = ?1");
        q.bind(1, *id);
        if (!q.step()) return core::Error(core::Errc::not_found, "no such mailbox");
    }
    // One pass over the mailbox's rows through the (mailbox_id, uid) key; nothing is read into memory.
    auto q = db.prepare(
        "SELECT COUNT(*), COALESCE(SUM(instr(' ' || flags || ' ', ' \\Seen ') = 0), 0), COALESCE(SUM(size), 0) "
        "FROM messages WHERE mailbox_id = ?1");
    q.bind(1, *id);
    MailboxCounters c;
    if (q.step()) {
        c.total = static_cast<std::uint64_t>(q.i64(0));
        c.unseen = static_cast<std::uint64_t>(q.i64(1));
        c.size = static_cast<std::uint64_t>(q.i64(2));
    }
    return c;
}

}  // namespace mallard::storage::sqlite
