// open_store: the one file that names the backends.
#include "storage/open_store.h"

#include "storage/sqlite/sqlite_store.h"

namespace mallard::storage {

core::Result<std::unique_ptr<Store>> open_store(const StoreOptions& options, core::ThreadPool& pool) {
    if (options.backend == "sqlite") {
        if (options.data_dir.empty()) return core::Error(core::Errc::bad_input, "sqlite store: data_dir is empty");
        sqlite::SqliteOptions o;
        o.data_dir = options.data_dir;
        o.synchronous_full = options.sqlite_sync == SqliteSync::full;
        o.busy_timeout_ms = options.sqlite_busy_timeout_ms;
        o.ingest.attachment_min_bytes = options.attachment_min_bytes;
        auto store = sqlite::SqliteStore::open(o, pool);
        if (!store) return store.take_error();
        return std::unique_ptr<Store>(std::move(*store));
    }
    return core::Error(core::Errc::bad_input, "unknown store backend: " + options.backend);
}

}  // namespace mallard::storage
