// Versioned schema migrations: an ordered list, applied once each, recorded in `schema_version`.
#pragma once

#include <cstdint>

#include "storage/sqlite/connection.h"

namespace mallard::storage::sqlite {

// Brings the database up to the newest schema. Safe when several processes open one data directory at once:
// each migration runs in a BEGIN IMMEDIATE transaction that re-reads the version first.
void migrate(Db& db);
std::int64_t schema_version(Db& db);
std::int64_t latest_schema_version();

}  // namespace mallard::storage::sqlite
