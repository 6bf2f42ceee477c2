// MemoryState: the in-memory twin of the PostgreSQL store, for tests and tools. It reads like the store
// and takes a BatchResult the way the store writes one.
//
// History::drop keeps only what apply reads (units, containers, lots, recalls, event hashes and each
// submission's outcome), not the entries, unit events and alerts themselves: the audit replays a whole
// ledger through it and compares those with the database as each entry is replayed (audit.hpp), and
// the entries' bodies and the unit events are most of a ledger's bytes.
#pragma once

#include <map>
#include <set>
#include <string>

#include "ledger/apply/applier.hpp"
#include "ledger/apply/state.hpp"

namespace rxl {

class MemoryState final : public StateReader {
public:
    enum class History { keep, drop };
    explicit MemoryState(History history = History::keep) : history_(history) {}

    void load_units(const std::vector<UnitKey>& keys, std::map<UnitKey, UnitState>& out) override;
    std::optional<ContainerState> load_container(const std::string& sscc) override;
    Children load_children(const std::string& sscc) override;
    bool event_hash_exists(const std::string& hash_id) override;
    std::optional<std::string> event_submitter(const std::string& hash_id) override;
    std::optional<PriorOutcome> find_submission(const Hash& submission_id) override;
    bool product_exists(const std::string& gtin) override;
    bool lot_exists(const std::string& gtin, const std::string& lot) override;
    std::optional<std::uint64_t> lot_recall(const std::string& gtin, const std::string& lot) override;
    std::optional<std::uint64_t> gtin_withdrawal(const std::string& gtin) override;

    void write(const BatchResult& batch);

    const std::map<UnitKey, UnitState>& units() const { return units_; }
    const std::map<std::string, ContainerState>& containers() const { return containers_; }
    const std::vector<EntryRecord>& entries() const { return entries_; }  // empty with History::drop
    const std::vector<UnitEventRow>& unit_events() const { return unit_events_; }  // empty with History::drop
    const std::set<LotRow>& lots() const { return lots_; }
    const std::map<std::uint64_t, RecallRow>& recalls() const { return recalls_; }
    const std::vector<AlertRow>& alerts() const { return alerts_; }  // empty with History::drop
    // The lookups recalls make: (gtin, lot) → recall, and gtin → the recall that withdrew it.
    const std::map<std::pair<std::string, std::string>, std::uint64_t>& recalled_lots() const { return recalled_lots_; }
    const std::map<std::string, std::uint64_t>& withdrawn_gtins() const { return withdrawn_gtins_; }

private:
    History history_;
    std::uint64_t size_ = 0;  // entries written
    std::map<Hash, PriorOutcome> submissions_;  // by submission id
    std::map<UnitKey, UnitState> units_;
    std::map<std::string, ContainerState> containers_;
    std::set<std::string> event_hashes_;
    std::map<std::string, std::string> event_submitters_;  // hash id → submitter, error declarations excluded
    std::vector<EntryRecord> entries_;
    std::vector<UnitEventRow> unit_events_;
    std::set<LotRow> lots_;
    std::map<std::uint64_t, RecallRow> recalls_;                    // by seq, the recall's id
    std::map<std::pair<std::string, std::string>, std::uint64_t> recalled_lots_;  // (gtin, lot) → recall
    std::map<std::string, std::uint64_t> withdrawn_gtins_;           // gtin → recall
    std::vector<AlertRow> alerts_;
};

}  // namespace rxl
