// Audit: recomputes the ledger from the database alone and names whatever does not match.
//
// Every entry is replayed through the same apply code (the genesis from entry 0, then each entry's
// signed submission at its ordering time) into the in-memory twin of the store. That re-checks every
// signature and every custody rule, and recomputes every leaf hash, the Merkle root, every unit's
// state and chain link, every recall and alert; every checkpoint the node signed is checked against the
// replayed root at its size. An edit made behind the server's back — a body byte, an outcome, a deleted
// row, a unit's lot, a recall — shows up as a difference between what is stored and what the replay derives.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "ledger/merkle/checkpoint.hpp"
#include "ledger/store/store.hpp"

namespace rxl {

struct AuditFinding {
    std::string where;  // "entry 17", "unit (01)09506000134352(21)ABC", "ledger head", "merkle tree"
    std::string what;   // a sentence
};

struct AuditReport {
    std::uint64_t entries_checked = 0;
    std::uint64_t units_checked = 0;
    std::uint64_t checkpoints_checked = 0;  // signed checkpoints compared with the replayed root
    Hash replayed_root{};
    std::vector<AuditFinding> findings;
    bool clean() const { return findings.empty(); }
};

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
