// The change bus and the NotifyingStore: watchers on the publisher's loop hear at once, watchers on other
// loops through a post, a reset watch hears nothing, and committed writes (not failed ones) are announced.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/reactor.h"
#include "core/thread_pool.h"
#include "storage/notify/bus.h"
#include "storage/notify/notifying_store.h"
#include "storage/open_store.h"

namespace mallard::storage::notify {
namespace {

struct Recorder final : Watcher {
    std::vector<MailboxChange> heard;
    void on_mailbox_change(const MailboxChange& change) override { heard.push_back(change); }
};

// A watch made on the loop's thread while it runs, as sessions make them.
core::Task<Bus::Watch> watch_on_loop(Bus& bus, MailboxId mailbox, Watcher& watcher) {
    co_return bus.watch(mailbox, watcher);
}

TEST(Bus, WatcherOnThePublishersLoopHearsAtOnce) {
    core::Reactor loop;
    Bus bus;
    Recorder a, b;
    auto wa = bus.watch("box1", a);
    auto wb = bus.watch("box2", b);
    EXPECT_EQ(bus.watchers_here("box1"), 1u);
    bus.publish(MailboxChange{"box1", 7});
    ASSERT_EQ(a.heard.size(), 1u);
    EXPECT_EQ(a.heard[0].modseq, 7u);
    EXPECT_TRUE(b.heard.empty());
    wa.reset();
    bus.publish(MailboxChange{"box1", 8});
    EXPECT_EQ(a.heard.size(), 1u);
    EXPECT_EQ(bus.watchers_here("box1"), 0u);
}

TEST(Bus, MovedWatchStaysRegisteredOnce) {
    core::Reactor loop;
    Bus bus;
    Recorder a;
    Bus::Watch kept;
    {
        auto w = bus.watch("box", a);
        kept = std::move(w);
    }
    EXPECT_EQ(bus.watchers_here("box"), 1u);
    bus.publish(MailboxChange{"box", 1});
    EXPECT_EQ(a.heard.size(), 1u);
    kept.reset();
    EXPECT_EQ(bus.watchers_here("box"), 0u);
}

TEST(Bus, OtherLoopsHearThroughAPost) {
    Bus bus;
    std::atomic<int> heard{0};
    std::atomic<bool> ready{false};
    struct Counter final : Watcher {
        std::atomic<int>* n;
        explicit Counter(std::atomic<int>* counter) : n(counter) {}
        void on_mailbox_change(const MailboxChange&) override { ++*n; }
    };
    core::Reactor* other_loop = nullptr;
    std::thread other([&] {
        core::Reactor loop;
        other_loop = &loop;
        Counter counter(&heard);
        auto w = bus.watch("shared", counter);
        ready = true;
        loop.run();
    });
    while (!ready) std::this_thread::yield();
    core::Reactor here;
    bus.publish(MailboxChange{"shared", 3});
    for (int i = 0; i < 2000 && heard.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(heard.load(), 1);
    other_loop->post([&] { other_loop->stop(); });
    other.join();
}

struct RecordingRemote final : Remote {
    std::vector<MailboxChange> sent;
    void publish(const MailboxChange& change) override { sent.push_back(change); }
    void publish(const SessionEvent&) override {}
};

TEST(Bus, PublishReachesTheRemoteAndPublishLocalDoesNot) {
    Bus bus;
    RecordingRemote remote;
    Recorder a;
    auto w = bus.watch("box", a);
    bus.publish(MailboxChange{"box", 1});  // no remote yet: local only
    bus.set_remote(&remote);
    bus.publish(MailboxChange{"box", 2});
    bus.publish_local(MailboxChange{"box", 3});  // heard from another instance: not sent back
    bus.set_remote(nullptr);
    bus.publish(MailboxChange{"box", 4});
    ASSERT_EQ(remote.sent.size(), 1u);
    EXPECT_EQ(remote.sent[0].mailbox, "box");
    EXPECT_EQ(remote.sent[0].modseq, 2u);
    EXPECT_EQ(a.heard.size(), 4u);
}

TEST(Bus, ResyncTellsEveryWatcherOfItsOwnMailbox) {
    Bus bus;
    Recorder a, b, c;
    auto wa = bus.watch("box1", a);
    auto wb = bus.watch("box2", b);
    auto wc = bus.watch("box2", c);
    bus.resync_local();
    ASSERT_EQ(a.heard.size(), 1u);
    EXPECT_EQ(a.heard[0].mailbox, "box1");
    EXPECT_EQ(a.heard[0].modseq, 0u);  // 0: read the journal, whatever the view has seen
    ASSERT_EQ(b.heard.size(), 1u);
    EXPECT_EQ(b.heard[0].mailbox, "box2");
    EXPECT_EQ(c.heard.size(), 1u);
}

TEST(NotifyingStore, AnnouncesCommittedWritesOnly) {
    auto dir = std::filesystem::temp_directory_path() / ("mallard-notify-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    core::Reactor loop;
    core::ThreadPool pool(1);
    {
        StoreOptions options;
        options.data_dir = dir.string();
        auto opened = open_store(options, pool);
        ASSERT_TRUE(opened) << opened.error().to_string();
        Bus bus;
        NotifyingStore store(std::move(*opened), bus);
        auto user = loop.block_on(store.create_user(NewUser{"ann", "", "ann@example.com", 0}));
        ASSERT_TRUE(user);
        auto inbox = loop.block_on(store.find_mailbox(user->id, "INBOX"));
        ASSERT_TRUE(inbox);
        Recorder recorder;
        auto watch = loop.block_on(watch_on_loop(bus, inbox->id, recorder));
        auto appended = loop.block_on(store.append(inbox->id, AppendRequest{"Subject: x\r\n\r\nhi\r\n", {}, {}}));
        ASSERT_TRUE(appended);
        ASSERT_EQ(recorder.heard.size(), 1u);
        EXPECT_EQ(recorder.heard[0].modseq, appended->modseq);
        auto flagged = loop.block_on(
            store.store_flags(inbox->id, FlagChange{UidRange{}, FlagOp::add, {"\\Seen"}, std::nullopt}));
        ASSERT_TRUE(flagged);
        EXPECT_EQ(recorder.heard.size(), 2u);
        // Nothing to expunge: nothing changed, nothing announced.
        auto expunged = loop.block_on(store.expunge(inbox->id, UidRange{}));
        ASSERT_TRUE(expunged);
        EXPECT_EQ(recorder.heard.size(), 2u);
        auto missing = loop.block_on(store.append("no-such-box", AppendRequest{"Subject: y\r\n\r\n", {}, {}}));
        EXPECT_FALSE(missing);
        EXPECT_EQ(recorder.heard.size(), 2u);
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mallard::storage::notify
