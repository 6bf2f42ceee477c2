// The node's signed checkpoints: written with the batch that reached their size, read at start-up and
// by the audit.
#include <pqxx/pqxx>

#include "ledger/core/bytes.hpp"
#include "ledger/store/connection.hpp"
#include "ledger/store/pg_text.hpp"

namespace rxl::store {

namespace {

constexpr const char* sql_select_checkpoints = "SELECT size, encode(root, 'hex'), note FROM checkpoints";

StoredCheckpoint checkpoint_from_row(const pqxx::row& row) {
    return {row[0].as<std::uint64_t>(), hash_from_hex(row[1]), row[2].as<std::string>()};
}

}  // namespace

void insert_checkpoint(pqxx::work& work, const StoredCheckpoint& checkpoint) {
    // The same size twice (a restart that signs the size it stopped at) keeps the first signature.
    work.exec_params("INSERT INTO checkpoints (size, root, note) VALUES ($1, decode($2, 'hex'), $3) "
                     "ON CONFLICT (size) DO NOTHING",
                     checkpoint.size, to_hex(checkpoint.root), checkpoint.note);
}

void Store::write_checkpoint(const StoredCheckpoint& checkpoint) {
    pqxx::work work(connection_->pq);
    insert_checkpoint(work, checkpoint);
    work.commit();
}

std::optional<StoredCheckpoint> Store::latest_checkpoint() {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec(std::string(sql_select_checkpoints) + " ORDER BY size DESC LIMIT 1");
    if (rows.empty()) return std::nullopt;
    return checkpoint_from_row(rows[0]);
}

std::vector<StoredCheckpoint> Store::checkpoints() {
    pqxx::nontransaction work(connection_->pq);
    std::vector<StoredCheckpoint> out;
    for (const auto& row : work.exec(std::string(sql_select_checkpoints) + " ORDER BY size")) {
        out.push_back(checkpoint_from_row(row));
    }
    return out;
}

}  // namespace rxl::store
