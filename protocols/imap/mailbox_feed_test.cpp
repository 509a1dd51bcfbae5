// MailboxFeed (mailbox_feed.h): one journal read per announcement for every session of a loop, reads that
// coalesce, one shared snapshot, and sessions that diverge and come back. The "sessions" here are views
// synced the way Session::sync_from_feed does it (session_sync.cpp); the real sessions run in the
// integration tests.
#include "protocols/imap/mailbox_feed.h"

#include <malloc.h>

#include <memory>
#include <string>
#include <vector>

#include "protocols/imap/session_test_support.h"
#include "storage/forwarding_store.h"
#include "storage/notify/bus.h"
#include "storage/notify/notifying_store.h"

namespace mallard::imap {
namespace {

using core::Task;
using test::SessionFixture;

// A session's view and what the feed told it.
struct Watching final : FeedListener {
    explicit Watching(MailboxView v) : view(std::move(v)) {}
    void on_feed(bool read_done) override { (read_done ? reads_heard : announcements_heard)++; }
    MailboxView view;
    MailboxFeed::Subscription subscription;
    int announcements_heard = 0;
    int reads_heard = 0;
};

// As Session::sync_from_feed after its wait.
std::string sync(MailboxFeed& feed, MailboxView& view, bool allow_expunge) {
    if (view.deferred_expunges().empty() && view.messages().use_count() > 1) {
        auto delta = feed.delta_for(view.messages(), view.journal_modseq());
        if (delta && (allow_expunge || !delta->removes)) {
            auto out = apply_delta(view, *delta, false);
            delta.reset();
            feed.forget_unused();
            return out;
        }
    }
    auto out = apply_journal(view, feed.entries_since(view.journal_modseq()), SyncRules{allow_expunge, false});
    feed.rejoin(view);
    return out;
}

Task<void> settle(MailboxFeed& feed) {
    for (int i = 0; i < 2000 && feed.reading(); ++i) {
        auto pause = core::sleep_for(std::chrono::milliseconds(1));
        co_await pause;
    }
    EXPECT_FALSE(feed.reading());
}

Task<MailboxView> open_view(storage::Store& store, storage::UserId user) {
    auto box = co_await store.find_mailbox(user, "INBOX");
    EXPECT_TRUE(box);
    storage::UidRange all;
    auto messages = co_await store.list_messages(box->id, all);
    EXPECT_TRUE(messages);
    co_return MailboxView(*box, std::move(*messages), false);
}

Task<void> append_one(storage::Store& store, storage::MailboxId box, storage::Flags flags) {
    storage::AppendRequest request;
    request.raw = "Subject: hi\r\n\r\nbody\r\n";
    request.flags = std::move(flags);
    auto appended = co_await store.append(box, std::move(request));
    EXPECT_TRUE(appended);
}

struct Report {
    std::uint64_t reads_for_select = 0;
    std::uint64_t reads_for_one_arrival = 0;
    std::uint64_t reads_for_five_arrivals = 0;
    long use_count = 0;
    std::size_t caught_up = 0;
    std::size_t told_exists = 0;
    std::size_t heard_once = 0;
};

constexpr std::size_t watchers = 1000;

Task<void> thousand_watchers(storage::Store& store, storage::UserId user, Report& report) {
    storage::notify::Bus bus;
    std::vector<std::unique_ptr<Watching>> sessions;
    for (std::size_t i = 0; i < watchers; ++i) {
        auto view = co_await open_view(store, user);
        sessions.push_back(std::make_unique<Watching>(std::move(view)));
        sessions.back()->subscription = MailboxFeed::join(store, bus, sessions.back()->view, *sessions.back());
    }
    MailboxFeed& feed = *sessions.front()->subscription;
    const storage::MailboxId box = sessions.front()->view.id();
    EXPECT_EQ(bus.watchers_here(box), 1u);  // the feed watches, not each session
    EXPECT_EQ(feed.listeners(), watchers);

    // SELECT: each session asks for a read that starts after it; they coalesce.
    auto before = feed.reads_started();
    for (std::size_t i = 0; i < watchers; ++i) (void)feed.request_read();
    co_await settle(feed);
    report.reads_for_select = feed.reads_started() - before;
    for (auto& s : sessions) (void)sync(feed, s->view, true);  // each list, equal to the snapshot, is dropped

    // One arrival, announced: one read for everyone, and one shared delta.
    co_await append_one(store, box, {});
    before = feed.reads_started();
    bus.publish(storage::notify::MailboxChange{box, 0});
    co_await settle(feed);
    report.reads_for_one_arrival = feed.reads_started() - before;
    for (auto& s : sessions) {
        if (sync(feed, s->view, true) == "* 3 EXISTS\r\n") ++report.told_exists;
        if (s->view.messages().shares_with(feed.snapshot())) ++report.caught_up;
        if (s->reads_heard == 1 && s->announcements_heard == 1) ++report.heard_once;
    }
    report.use_count = feed.snapshot().use_count();

    // Five arrivals announced while the first read runs: that read and one more.
    for (int i = 0; i < 5; ++i) co_await append_one(store, box, {});
    before = feed.reads_started();
    for (int i = 0; i < 5; ++i) bus.publish(storage::notify::MailboxChange{box, 0});
    co_await settle(feed);
    report.reads_for_five_arrivals = feed.reads_started() - before;
    EXPECT_EQ(sync(feed, sessions[0]->view, true), "* 8 EXISTS\r\n");
}

class Feed : public SessionFixture {};

TEST_F(Feed, one_read_and_one_snapshot_for_a_thousand_watchers) {
    append("INBOX", "Subject: a\r\n\r\na\r\n", {});
    append("INBOX", "Subject: b\r\n\r\nb\r\n", {"$Label1"});
    Report report;
    run(thousand_watchers(*store_, user_id_, report));
    EXPECT_LE(report.reads_for_select, 2u);
    EXPECT_EQ(report.reads_for_one_arrival, 1u);
    EXPECT_EQ(report.reads_for_five_arrivals, 2u);
    EXPECT_EQ(report.told_exists, watchers);
    EXPECT_EQ(report.caught_up, watchers);
    EXPECT_EQ(report.heard_once, watchers);
    // The feed's snapshot and the 1,000 views: the delta from the snapshot before went with the last view
    // that left it.
    EXPECT_EQ(report.use_count, static_cast<long>(watchers) + 1);
}

Task<void> diverge_and_rejoin(storage::Store& store, storage::UserId user) {
    storage::notify::Bus bus;
    auto view = co_await open_view(store, user);
    Watching a(view), b(view);
    a.subscription = MailboxFeed::join(store, bus, a.view, a);
    b.subscription = MailboxFeed::join(store, bus, b.view, b);
    MailboxFeed& feed = *a.subscription;
    const storage::MailboxId box = view.id();
    EXPECT_TRUE(a.view.messages().shares_with(feed.snapshot()));

    // Another session expunges message 2 while `a` runs a FETCH by number: `a` defers the expunge and keeps
    // the old list; `b` (in IDLE) is told at once and takes the new snapshot.
    storage::FlagChange deleted{storage::UidRange{2, 2}, storage::FlagOp::add, {"\\Deleted"}, std::nullopt};
    auto flagged = co_await store.store_flags(box, deleted);
    EXPECT_TRUE(flagged);
    auto expunged = co_await store.expunge(box, storage::UidRange{2, 2});
    EXPECT_TRUE(expunged);
    bus.publish(storage::notify::MailboxChange{box, 0});
    co_await settle(feed);
    EXPECT_EQ(sync(feed, b.view, true), "* 2 EXPUNGE\r\n");  // gone: no FETCH for its \\Deleted
    EXPECT_TRUE(b.view.messages().shares_with(feed.snapshot()));
    EXPECT_EQ(sync(feed, a.view, false), "* 2 FETCH (UID 2 FLAGS (\\Deleted))\r\n");
    EXPECT_EQ(a.view.deferred_expunges().size(), 1u);
    EXPECT_FALSE(a.view.messages().shares_with(feed.snapshot()));
    // The next command allows it: the EXPUNGE goes out, and `a` shares the snapshot again.
    EXPECT_EQ(sync(feed, a.view, true), "* 2 EXPUNGE\r\n");
    EXPECT_TRUE(a.view.messages().shares_with(feed.snapshot()));

    // `a` STOREs \Seen on message 1 and shows it before the journal does: its own copy...
    storage::FlagChange seen{storage::UidRange{1, 1}, storage::FlagOp::add, {"\\Seen"}, std::nullopt};
    auto stored = co_await store.store_flags(box, seen);
    EXPECT_TRUE(stored);
    if (stored && !stored->changed.empty()) a.view.set_flags(1, stored->changed.front().flags, stored->changed.front().modseq);
    EXPECT_FALSE(a.view.messages().shares_with(feed.snapshot()));
    bus.publish(storage::notify::MailboxChange{box, 0});
    co_await settle(feed);
    // ...until the journal brings it: nothing to tell `a` (already shown), and `a` shares the new snapshot.
    EXPECT_EQ(sync(feed, a.view, true), "");
    EXPECT_TRUE(a.view.messages().shares_with(feed.snapshot()));
    EXPECT_EQ(sync(feed, b.view, true), "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n");
    EXPECT_TRUE(b.view.messages().shares_with(feed.snapshot()));
}

TEST_F(Feed, a_session_with_deferred_expunges_diverges_and_rejoins) {
    append("INBOX", "Subject: a\r\n\r\na\r\n", {});
    append("INBOX", "Subject: b\r\n\r\nb\r\n", {});
    append("INBOX", "Subject: c\r\n\r\nc\r\n", {});
    run(diverge_and_rejoin(*store_, user_id_));
}

Task<void> feed_goes_with_its_last_session(storage::Store& store, storage::UserId user) {
    storage::notify::Bus bus;
    auto view = co_await open_view(store, user);
    const storage::MailboxId box = view.id();
    {
        Watching a(view);
        a.subscription = MailboxFeed::join(store, bus, a.view, a);
        EXPECT_EQ(bus.watchers_here(box), 1u);
        {
            Watching b(view);
            b.subscription = MailboxFeed::join(store, bus, b.view, b);
            EXPECT_EQ(&*a.subscription, &*b.subscription);
            EXPECT_EQ(a.subscription->listeners(), 2u);
        }
        EXPECT_EQ(a.subscription->listeners(), 1u);
    }
    EXPECT_EQ(bus.watchers_here(box), 0u);
}

TEST_F(Feed, lives_while_a_session_watches) { run(feed_goes_with_its_last_session(*store_, user_id_)); }

// ---- real sessions on one loop, with a bus ----

using Client = std::unique_ptr<core::net::Connection>;

Task<void> send(Client& c, std::string line) {
    c->queue(line + "\r\n");
    auto sent = co_await c->flush(test::soon());
    EXPECT_TRUE(sent);
}

// Lines up to and including the first that starts with `until`.
Task<test::Lines> read_until(Client& c, std::string until) {
    test::Lines lines;
    for (;;) {
        auto got = co_await c->read_line(1 << 16, test::soon());
        if (!got) {
            lines.push_back("<" + std::string(core::errc_name(got.error().code)) + ">");
            co_return lines;
        }
        lines.push_back(*got);
        if (got->rfind(until, 0) == 0) co_return lines;
    }
}

Task<Client> open_session(std::shared_ptr<const Context> context, std::string user, bool* done) {
    auto pair = core::net::test::unix_pair();
    core::spawn(test::run_server(std::move(pair.second), std::move(context), done));
    Client c = std::move(pair.first);
    auto greeting = co_await read_until(c, "* OK");
    co_await send(c, "l LOGIN " + user + " secret");
    auto login = co_await read_until(c, "l ");
    EXPECT_EQ(login.back().rfind("l OK", 0), 0u);
    co_await send(c, "s SELECT INBOX");
    auto selected = co_await read_until(c, "s ");
    EXPECT_EQ(selected.back().rfind("s OK", 0), 0u);
    co_return c;
}

bool has(const test::Lines& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

Task<void> two_sessions(std::shared_ptr<const Context> context, storage::notify::Bus& bus, std::string user,
                        storage::MailboxId box) {
    bool idler_done = false, writer_done = false;
    auto idler = co_await open_session(context, user, &idler_done);
    auto writer = co_await open_session(context, user, &writer_done);
    EXPECT_EQ(bus.watchers_here(box), 1u);  // one feed for both sessions

    co_await send(idler, "i IDLE");
    auto idling = co_await read_until(idler, "+ ");
    // The writer's APPEND: its own EXISTS comes before its tagged OK, as before the feed.
    co_await send(writer, "a APPEND INBOX {21+}\r\nSubject: x\r\n\r\nbody\r\n");
    auto appended = co_await read_until(writer, "a ");
    EXPECT_TRUE(has(appended, "* 3 EXISTS")) << appended.front();
    EXPECT_EQ(appended.back().rfind("a OK", 0), 0u);
    auto pushed = co_await read_until(idler, "* 3 EXISTS");
    EXPECT_EQ(pushed.back(), "* 3 EXISTS");

    // The writer's STORE shows in its own response (its view diverges) and reaches the idler from the journal.
    co_await send(writer, "f STORE 1 +FLAGS (\\Flagged)");
    auto stored = co_await read_until(writer, "f ");
    EXPECT_TRUE(has(stored, "* 1 FETCH (FLAGS (\\Flagged))")) << stored.front();
    auto flagged = co_await read_until(idler, "* 1 FETCH");
    EXPECT_EQ(flagged.back(), "* 1 FETCH (UID 1 FLAGS (\\Flagged))");

    // A FETCH by number in the writer while another change expunges: deferred, then told at NOOP.
    co_await send(writer, "d STORE 2 +FLAGS.SILENT (\\Deleted)");
    auto deleted = co_await read_until(writer, "d ");
    co_await send(writer, "e EXPUNGE");
    auto expunged = co_await read_until(writer, "e ");
    EXPECT_TRUE(has(expunged, "* 2 EXPUNGE"));
    auto told = co_await read_until(idler, "* 2 EXPUNGE");
    EXPECT_EQ(told.back(), "* 2 EXPUNGE");

    co_await send(idler, "DONE");
    auto ended = co_await read_until(idler, "i ");
    EXPECT_EQ(ended.back().rfind("i OK", 0), 0u);
    co_await send(idler, "n NOOP");
    auto noop = co_await read_until(idler, "n ");
    EXPECT_EQ(noop.size(), 1u) << noop.front();  // nothing told twice
    co_await send(idler, "o LOGOUT");
    auto bye = co_await read_until(idler, "o ");
    co_await send(writer, "o LOGOUT");
    auto bye2 = co_await read_until(writer, "o ");
    idler->close();
    writer->close();
    for (int i = 0; i < 1000 && !(idler_done && writer_done); ++i) {
        auto pause = core::sleep_for(std::chrono::milliseconds(5));
        co_await pause;
    }
    EXPECT_TRUE(idler_done && writer_done);
    EXPECT_EQ(bus.watchers_here(box), 0u);  // the feed went with its last session
}

TEST_F(Feed, sessions_with_a_bus_push_through_the_feed) {
    append("INBOX", "Subject: a\r\n\r\na\r\n", {});
    append("INBOX", "Subject: b\r\n\r\nb\r\n", {});
    storage::notify::Bus bus;
    // As tools/mallard: the sessions' writes are announced on the bus.
    storage::notify::NotifyingStore notifying(std::make_unique<storage::ForwardingStore>(*store_), bus);
    Context context{test_options(), notifying, *pool_, nullptr};
    context.bus = &bus;
    run(two_sessions(std::make_shared<const Context>(std::move(context)), bus, user_, mailbox("INBOX").id));
}

// The memory of N sessions on one mailbox of M messages: one list and N small views (issue 5).
TEST(FeedMemory, a_thousand_views_of_ten_thousand_messages_share_one_list) {
    constexpr std::size_t sessions = 1000, messages = 10000;
    storage::Mailbox box;
    box.id = "1";
    box.name = "INBOX";
    box.uidvalidity = 1;
    box.highest_modseq = messages;
    std::vector<storage::MessageMeta> metas;
    for (storage::Uid uid = 1; uid <= messages; ++uid) {
        metas.push_back(storage::MessageMeta{uid, uid, {"\\Seen", "$Label1"}, {}, 1000, {}});
    }
    const std::size_t start = ::mallinfo2().uordblks;
    MailboxView first(box, std::move(metas), false);
    const std::size_t list_bytes = ::mallinfo2().uordblks - start;
    std::vector<MailboxView> views;
    views.reserve(sessions);
    const std::size_t before = ::mallinfo2().uordblks;
    for (std::size_t i = 0; i < sessions; ++i) views.push_back(first);
    const std::size_t per_view = (::mallinfo2().uordblks - before) / sessions + sizeof(MailboxView);
    EXPECT_EQ(first.messages().use_count(), static_cast<long>(sessions) + 1);
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "mallinfo2 doesn't count AddressSanitizer's allocations; the sharing is checked above";
#endif
    // A view is its name, id, keywords and a pointer to the list: far below the list itself.
    EXPECT_LT(per_view, 512u) << "list " << list_bytes << " bytes";
    EXPECT_GT(list_bytes, 100u * per_view);
    std::printf("one list of %zu messages: %zu bytes; each further view: %zu bytes\n", messages, list_bytes, per_view);
}

}  // namespace
}  // namespace mallard::imap
