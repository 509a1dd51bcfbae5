// open_store: builds the configured Store. The only place that names a backend (STYLE.md); tools/mallard
// fills StoreOptions from its Config, so storage/ doesn't depend on config/.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "core/thread_pool.h"
#include "storage/store.h"

namespace mallard::storage {

enum class SqliteSync { normal, full };

struct StoreOptions {
    std::string backend = "sqlite";     // "sqlite" (MongoDB to come)
    std::string data_dir;               // sqlite: the data directory (mallard.db lives inside)
    SqliteSync sqlite_sync = SqliteSync::normal;
    int sqlite_busy_timeout_ms = 10000;
    std::uint64_t attachment_min_bytes = 16384;  // leaf bodies this big are stored once, content-addressed
    // sqlite: one connection per pool thread that uses the store, so the pool size bounds the connections.
};

// Blocking (opens files, runs migrations): call at start-up, not on a reactor loop.
core::Result<std::unique_ptr<Store>> open_store(const StoreOptions& options, core::ThreadPool& pool);

}  // namespace mallard::storage
