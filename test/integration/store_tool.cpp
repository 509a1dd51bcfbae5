// mallard-test-store: puts messages into a mailbox and lists them, directly through the Store interface, for
// integration tests of protocols that read mail (POP3, IMAP) before a delivery path exists.
//   mallard-test-store CONFIG append USER MAILBOX [FLAG...] < message   prints the new UID
//   mallard-test-store CONFIG list USER MAILBOX                          prints "uid size flag,flag" lines
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "config/loader.h"
#include "core/log.h"
#include "core/reactor.h"
#include "core/thread_pool.h"
#include "storage/open_store.h"

namespace {

using namespace mallard;
using core::Task;

int fail(const std::string& what, const core::Error& error) {
    std::fprintf(stderr, "mallard-test-store: %s: %s\n", what.c_str(), error.to_string().c_str());
    return 1;
}

Task<int> run(storage::Store& store, std::vector<std::string> args) {
    auto user = co_await store.find_user_by_login(args[1]);
    if (!user) co_return fail("user " + args[1], user.error());
    auto box = co_await store.find_mailbox(user->id, args[2]);
    if (!box) co_return fail("mailbox " + args[2], box.error());
    if (args[0] == "append") {
        storage::AppendRequest request;
        request.raw.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        request.flags.assign(args.begin() + 3, args.end());
        storage::normalize_flags(request.flags);
        auto appended = co_await store.append(box->id, std::move(request));
        if (!appended) co_return fail("append", appended.error());
        std::printf("%u\n", appended->uid);
        co_return 0;
    }
    auto listed = co_await store.list_messages(box->id, storage::UidRange{});
    if (!listed) co_return fail("list", listed.error());
    for (const auto& m : *listed) {
        std::string flags;
        for (const auto& f : m.flags) flags += (flags.empty() ? "" : ",") + f;
        std::printf("%u %llu %s\n", m.uid, static_cast<unsigned long long>(m.size_bytes), flags.c_str());
    }
    co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() < 4 || (args[1] != "append" && args[1] != "list") || (args[1] == "list" && args.size() != 4)) {
        std::fprintf(stderr, "usage: mallard-test-store CONFIG append USER MAILBOX [FLAG...] < message\n"
                             "       mallard-test-store CONFIG list USER MAILBOX\n");
        return 2;
    }
    auto cfg = config::load(args[0]);
    if (!cfg) {
        std::fprintf(stderr, "mallard-test-store: %s\n", cfg.error().detail.c_str());
        return 2;
    }
    core::log::set_level(core::log::Level::warn);
    core::ThreadPool pool(2);
    storage::StoreOptions options;
    options.backend = cfg->storage.backend;
    options.data_dir = cfg->server.data_dir;
    options.attachment_min_bytes = cfg->storage.attachment_min_bytes;
    auto store = storage::open_store(options, pool);
    if (!store) return fail("opening the store", store.error());
    core::Reactor loop;
    return loop.block_on(run(**store, std::vector<std::string>(args.begin() + 1, args.end())));
}
