#include "ledger/store/migrations.hpp"

#include <fmt/format.h>

#include <pqxx/pqxx>

namespace rxl::store {

Status migrate(pqxx::connection& connection) {
    const auto& known = embedded_migrations();
    {
        pqxx::work work(connection);
        work.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                  "applied_at timestamptz NOT NULL DEFAULT now())");
        // One node process migrates at a time, even when several start together.
        work.exec("SELECT pg_advisory_xact_lock(7215441)");
        int newest_known = known.empty() ? 0 : known.back().version;
        auto newest = work.exec("SELECT coalesce(max(version), 0) FROM schema_migrations")[0][0].as<int>();
        if (newest > newest_known) {
            return make_error(ErrorKind::internal, "schema-too-new",
                              fmt::format("the database schema is at version {}, newer than this server knows ({}); "
                                          "run a newer rxledgerd", newest, newest_known));
        }
        work.commit();
    }
    for (const auto& migration : known) {
        pqxx::work work(connection);
        work.exec("SELECT pg_advisory_xact_lock(7215441)");
        auto applied = work.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", migration.version);
        if (!applied.empty()) continue;
        work.exec(migration.sql);
        work.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", migration.version,
                         std::string(migration.name));
        work.commit();
    }
    return ok_status();
}

}  // namespace rxl::store
