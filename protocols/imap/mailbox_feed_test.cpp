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
#include "storage/notify/bus.h"

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
    if (view.deferred_expunges().empty()) {
        auto delta = feed.delta_for(view.messages(), view.journal_modseq());
        if (delta && (allow_expunge || !delta->removes)) return apply_delta(view, *delta, false);
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
    // The feed's snapshot, the 1,000 views, and the delta kept for views still at the snapshot before.
    EXPECT_GE(report.use_count, static_cast<long>(watchers) + 1);
    EXPECT_LE(report.use_count, static_cast<long>(watchers) + 2);
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
        metas.push_back(storage::MessageMeta{uid, uid, {"\\Seen", "$Label1"}, {}, 1000});
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
    // A view is its name, id, keywords and a pointer to the list: far below the list itself.
    EXPECT_LT(per_view, 512u) << "list " << list_bytes << " bytes";
    EXPECT_GT(list_bytes, 100u * per_view);
    std::printf("one list of %zu messages: %zu bytes; each further view: %zu bytes\n", messages, list_bytes, per_view);
}

}  // namespace
}  // namespace mallard::imap
