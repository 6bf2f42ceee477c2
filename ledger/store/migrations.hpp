// Included only by ledger/store sources (it includes libpqxx).
// Schema migrations: numbered SQL files from schemas/sql, embedded at build time, applied in order at
// start-up, each exactly once inside a transaction, and recorded in schema_migrations.
#pragma once

#include <string>
#include <vector>

#include "ledger/core/result.hpp"

#include <pqxx/connection>

namespace rxl::store {

struct Migration {
    int version;
    const char* name;
    const char* sql;
};

const std::vector<Migration>& embedded_migrations();

// Applies the migrations the database lacks. Refuses (error "schema-too-new") when the database has a
// migration this binary does not know: an older server must not write to a newer schema.
Status migrate(pqxx::connection& connection);

}  // namespace rxl::store
