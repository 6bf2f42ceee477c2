// AuditReader: what the audit reads (ledger/service/audit.hpp), all from one snapshot of the database.
//
// The reader opens one read-only REPEATABLE READ transaction on a Store's connection and keeps it until
// it is destroyed: every read below sees the same committed state, so an audit beside a running node
// never compares entries of one moment with tables of another. While it lives, the Store must not be
// used for anything else (a connection runs one transaction at a time).
//
// Large tables are streamed through server-side cursors a page at a time, so the audit holds one page
// of each stream, never a whole table. Streams come in the key order the audit merges on: numbers
// numerically, text bytewise (COLLATE "C", the order in which std::string compares).
//
// Rows of derived tables are text: each column as PostgreSQL prints it, except where the column list in
// audit_reads.cpp spells it out (dates as YYYY-MM-DD, bytea as lower-case hex, booleans as true/false,
// arrays as their elements joined by U+001F). The audit renders what its replay derived the same way
// and compares the texts; derived_table_columns() names the columns for its findings.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/store/store.hpp"

namespace rxl::store {

using TextRow = std::vector<std::string>;

// The tables apply derives from entries, as the audit streams them.
enum class DerivedTable {
    participants,      // id | name, role, company_prefixes, glns, since_seq
    participant_keys,  // key_id | participant_id, public_key, since_seq
    nodes,             // id | participant_id, public_key, url
    events,            // seq, event_index | hash_id, event_id, event_type, event_time_ms, action, biz_step, …
    alerts,            // seq | every column of an alert
    recalls,           // seq | gtin, lots, withdrawal, recall_class, reason, submitter, ordered_at_ms
    recalled_lots,     // gtin, lot | recall_seq
    withdrawn_gtins,   // gtin | recall_seq
    lots,              // gtin, lot, expiry | owner_id
    containers,        // sscc | status, owner_id, custodian_id, location, parent, destination, seqs
    merkle_leaves,     // idx | hash (the tree's level 0: one per entry)
    unit_keys,         // gtin, serial (in no particular order: for finding rows no entry makes)
    unit_event_keys,   // gtin, serial, seq, event_index (in no particular order)
};

// The column names of a derived table's rows, and how many of the first ones are its key.
struct DerivedColumns {
    std::vector<std::string> names;
    std::size_t key_columns = 1;
    std::vector<bool> numeric;  // per column: compared and ordered as a number
};
const DerivedColumns& derived_table_columns(DerivedTable table);
std::string_view to_string(DerivedTable table);

// Rows of one stream, one at a time.
class RowCursor {
public:
    virtual ~RowCursor() = default;
    // The next row, valid until the next call; nullptr after the last.
    virtual const TextRow* next() = 0;
};

class EntryCursor {
public:
    virtual ~EntryCursor() = default;
    // The next entry by seq (as Store::entry() reads one); nullopt after the last.
    virtual std::optional<EntryRecord> next() = 0;
};

// Tables the audit counts.
enum class CountedTable { entries, units, unit_events, merkle_leaves };

class AuditReader {
public:
    explicit AuditReader(Store& store);
    ~AuditReader();
    AuditReader(const AuditReader&) = delete;
    AuditReader& operator=(const AuditReader&) = delete;

    Head head();
    std::vector<StoredCheckpoint> checkpoints();  // by size
    std::uint64_t count(CountedTable table);
    // The stored hash of a Merkle node; throws Inconsistent when it is missing.
    Hash read_node(merkle::NodeId node);

    // Stored Merkle nodes of one level from `first_index` on, in index order, at most `limit`.
    std::vector<std::pair<std::uint64_t, Hash>> merkle_nodes(int level, std::uint64_t first_index, std::size_t limit);
    std::uint64_t count_merkle_nodes(int level);

    // Every entry in seq order.
    std::unique_ptr<EntryCursor> entries();
    // A derived table in its key order (unit_keys and unit_event_keys in none).
    std::unique_ptr<RowCursor> rows(DerivedTable table);
    // The units among `keys` that exist, as rows of unit_columns() (in no particular order).
    std::vector<TextRow> units(const std::vector<UnitKey>& keys);
    static const DerivedColumns& unit_columns();  // gtin, serial | the unit's state
    // The chain links of the units among `keys`, by unit, then by (seq, event_index).
    std::vector<UnitEventRow> unit_events(const std::vector<UnitKey>& keys);

private:
    struct Snapshot;
    std::unique_ptr<Snapshot> snapshot_;
};

}  // namespace rxl::store
