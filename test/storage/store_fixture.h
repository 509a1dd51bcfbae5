// The fixture of the Store conformance suite: a fresh store in a temporary directory, a Reactor and a
// ThreadPool, and run() to drive one operation to completion with reactor.block_on. The suite itself sees
// only `Store&`; the backend comes from StoreOptions (sqlite now; MongoDB when MONGODB_URI is set, later).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/reactor.h"
#include "core/thread_pool.h"
#include "storage/open_store.h"

namespace mallard::storage::test {

inline std::string make_temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mallard-store-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

inline StoreOptions options_for(const std::string& dir) {
    StoreOptions o;
    o.backend = "sqlite";
    o.data_dir = dir;
    return o;
}

class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = make_temp_dir();
        store_ = open_or_fail();
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::unique_ptr<Store> open_or_fail() {
        auto opened = open_store(options_for(dir_), pool_);
        if (!opened) throw std::runtime_error(opened.error().to_string());
        return std::move(*opened);
    }

    Store& store() { return *store_; }

    template <class T>
    T run(core::Task<T> task) { return reactor_.block_on(std::move(task)); }

    // The value of a Result that must have succeeded.
    template <class T>
    T ok(core::Task<core::Result<T>> task) {
        auto r = run(std::move(task));
        if (!r) throw std::runtime_error("unexpected error: " + r.error().to_string());
        return std::move(*r);
    }
    void ok(core::Task<core::Result<void>> task) {
        auto r = run(std::move(task));
        if (!r) throw std::runtime_error("unexpected error: " + r.error().to_string());
    }
    template <class T>
    core::Errc fails(core::Task<core::Result<T>> task) {
        auto r = run(std::move(task));
        if (r) throw std::runtime_error("expected an error");
        return r.error().code;
    }

    std::string dir_;
    core::Reactor reactor_;
    core::ThreadPool pool_{2};
    std::unique_ptr<Store> store_;
};

}  // namespace mallard::storage::test
