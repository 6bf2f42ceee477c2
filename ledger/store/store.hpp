// Store: the node's PostgreSQL database. The only code that includes libpqxx.
//
// One Store is one connection and is not thread-safe: the apply thread owns one, and request handlers
// borrow others from a pool. Reads made for apply see only committed state (apply is the only writer,
// so that is the ledger at its current size). write_batch() commits a whole BatchResult atomically:
// a crash either keeps all of a batch or none of it.
//
// Errors: a database failure throws (pqxx exceptions derive from std::exception). Apply treats one as
// fatal; the server's handler adapter turns one into a 503 problem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/apply/applier.hpp"
#include "ledger/apply/registry.hpp"
#include "ledger/apply/state.hpp"
#include "ledger/merkle/merkle.hpp"

namespace rxl::store {

struct Head {
    std::uint64_t size = 0;
    std::int64_t last_ordered_at_ms = 0;
    std::uint64_t orderer_cursor = 0;
    Hash root{};
};

// Which alerts to list: empty text matches any value; times are ordering times, [from_ms, to_ms).
struct AlertFilter {
    std::string gtin;
    std::string lot;
    std::string code;
    std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();
    std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();
    std::uint64_t after_seq = 0;  // keyset pagination: alerts with a larger seq
    std::size_t limit = 100;
};

class Store final : public StateReader {
public:
    // Connects (libpq connection string, e.g. "host=127.0.0.1 port=5433 dbname=rxledger user=rxledger").
    static Result<std::unique_ptr<Store>> connect(const std::string& conninfo);
    ~Store() override;

    // Applies pending schema migrations.
    Status migrate();
    bool ping();

    Head head();
    // The registry as the ledger holds it now.
    Registry load_registry();
    std::optional<EntryRecord> entry(std::uint64_t seq);
    // The stored hash of a complete Merkle subtree; precondition: it exists.
    Hash read_node(merkle::NodeId node);

    // Writes every effect of a batch and the new head in one transaction, then commits (fsync'd by
    // PostgreSQL's synchronous_commit) before returning.
    void write_batch(const BatchResult& batch);
    // Records the consortium's nodes (from the genesis) for peers and operators to look up.
    void write_nodes(const Registry& registry);

    // StateReader (for apply)
    void load_units(const std::vector<UnitKey>& keys, std::map<UnitKey, UnitState>& out) override;
    std::optional<ContainerState> load_container(const std::string& sscc) override;
    Children load_children(const std::string& sscc) override;
    bool event_hash_exists(const std::string& hash_id) override;
    std::optional<PriorOutcome> find_submission(const Hash& submission_id) override;
    bool product_exists(const std::string& gtin) override;
    bool lot_exists(const std::string& gtin, const std::string& lot) override;
    std::optional<std::uint64_t> lot_recall(const std::string& gtin, const std::string& lot) override;
    std::optional<std::uint64_t> gtin_withdrawal(const std::string& gtin) override;

    // Reads for handlers
    // The recall whose entry is `seq` (its id), if that entry is an accepted recall.
    std::optional<RecallRow> recall(std::uint64_t seq);
    // Recalls in id order after `after_seq`, at most `limit`; of one GTIN unless `gtin` is empty.
    std::vector<RecallRow> recalls(const std::string& gtin, std::uint64_t after_seq, std::size_t limit);
    // Alerts in id (seq) order matching the filter.
    std::vector<AlertRow> alerts(const AlertFilter& filter);
    std::optional<UnitState> unit(const UnitKey& key);
    std::uint64_t count_units();
    std::uint64_t count_entries();
    // Stored Merkle nodes at one level (level 0: one per entry).
    std::uint64_t count_merkle_nodes(int level);

private:
    struct Connection;  // wraps pqxx::connection, kept out of this header
    explicit Store(std::unique_ptr<Connection> connection);
    std::unique_ptr<Connection> connection_;
};

}  // namespace rxl::store
