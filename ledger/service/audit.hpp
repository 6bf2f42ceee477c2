// Audit: recomputes the ledger from the database alone and names whatever does not match.
//
// Every entry is replayed through the same apply code (the genesis from entry 0, then each entry's
// signed submission at its ordering time) into the in-memory twin of the store. That re-checks every
// signature and every custody rule, and recomputes every leaf hash, the Merkle root, every unit's
// state and chain link, every recall and alert; every checkpoint the node signed is checked against the
// replayed root at its size.
//
// Then every table apply derives is compared with what the replay derived, row by row, each named when
// it is missing, extra or changed: the registry (participants, participant_keys, nodes), entries, the
// Merkle tree's leaves, events, unit_events (each unit's chain, link by link), units, containers, lots,
// recalls, recalled_lots, withdrawn_gtins and alerts. Nothing in the database is trusted more than the
// ledger: a row only an attacker could have written, a deleted or edited one, all show up.
//
// Memory: the replay keeps what apply reads (MemoryState::History::drop: about 0.5 KB per unit) and 32
// bytes per entry (the leaf hashes the unit chains are checked against). The database side is streamed
// from one snapshot (store/audit_reads.hpp) in key order and merged with the replay's rows as they come,
// entries, events and alerts while the replay runs; nothing is loaded twice.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "ledger/merkle/checkpoint.hpp"
#include "ledger/service/audit_tables.hpp"
#include "ledger/store/store.hpp"

namespace rxl {

struct AuditReport {
    std::uint64_t entries_checked = 0;
    std::uint64_t units_checked = 0;
    std::uint64_t checkpoints_checked = 0;  // signed checkpoints compared with the replayed root
    std::uint64_t rows_checked = 0;         // rows of the other derived tables compared
    Hash replayed_root{};
    std::vector<AuditFinding> findings;     // the first limits::audit_findings_max of them
    std::uint64_t findings_total = 0;       // all of them
    bool clean() const { return findings_total == 0; }
};

// The registry the ledger holds: entry 0's genesis file applied by the same code as apply
// (Applier::apply_genesis). Apply accepts no other registry-changing entry yet (governance entries are
// rejected as unsupported), so this is the registry at every size; when governance entries are
// accepted, they are replayed here too.
Result<Registry> ledger_registry(const std::string& genesis_json);

// The registry tables (participants, participant_keys, nodes) against `registry`, the ledger's: every
// row missing, extra or changed. The node checks this at every start, before it signs or takes writes,
// whatever its start-up audit; it is small.
std::vector<AuditFinding> check_registry(store::Store& store, const Registry& registry);

// The verifier keys of the consortium's nodes, named "<consortium>/<node id>", that sign checkpoints.
std::vector<merkle::VerifierKey> node_verifier_keys(const Registry& registry, std::string_view consortium);

// A stored checkpoint on its own: a valid signature by one of `keys`, a row equal to the signed note it
// holds, a size not beyond the ledger's. The error (internal, "bad-checkpoint") says which failed, in
// the words the audit and the start-up check report.
Status check_stored_checkpoint(const store::StoredCheckpoint& stored, std::span<const merkle::VerifierKey> keys,
                               std::string_view consortium, std::uint64_t ledger_size);

// `progress` (may be empty) is called with the number of entries replayed so far, now and then.
AuditReport audit_ledger(store::Store& store, const std::function<void(std::uint64_t)>& progress = {});

}  // namespace rxl
