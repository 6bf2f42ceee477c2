// The orderer gives every submission its place in one total order, and its ordering time.
//
// Single node: InProcessOrderer, a queue in this process. Consortium: an etcd-backed orderer (a later
// module) whose order is etcd's revision order. Apply code is the same for both: it pulls batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ledger/apply/applier.hpp"
#include "ledger/core/result.hpp"

namespace rxl {

// A checkpoint this node signed at a size the consortium cosigns (a multiple of N).
struct SignedCheckpoint {
    std::uint64_t size = 0;
    Hash root{};
    std::uint64_t cursor = 0;  // orderer position of entry size-1: where a node at this size resumes
    std::string note;          // the signed note, this node's signature only
};

// What the apply thread tells the orderer after each committed batch.
struct CommittedBatch {
    std::uint64_t size = 0;
    Hash root{};
    std::uint64_t cursor = 0;
    std::vector<SignedCheckpoint> signed_checkpoints;  // sizes this batch reached that the node signed
};

// Whether the orderer can take submissions now, for /readyz and /metrics.
struct OrdererHealth {
    bool reachable = true;
    std::string detail;  // why not, or what the orderer is doing (catching up)
};

class Orderer {
public:
    virtual ~Orderer() = default;
    // Hands a verified submission over for ordering. Thread-safe. Fails with ErrorKind::unavailable when
    // it cannot take it now (queue full, closed, cut off from the quorum); the client may retry.
    virtual Status append(Submission submission) = 0;
    // Blocks up to wait_ms for ordered submissions; returns at most `max`, in order (maybe none).
    // Called by the one apply thread only.
    virtual std::vector<OrderedSubmission> next_batch(std::size_t max, std::uint32_t wait_ms) = 0;
    // Wakes next_batch and refuses further appends.
    virtual void close() = 0;
    // Submissions accepted but not yet handed to apply.
    virtual std::size_t queued() const = 0;
    // Called once on the apply thread before the first next_batch (after the start-up audit).
    virtual void start() {}
    // Called on the apply thread after each batch is committed.
    virtual void committed(const CommittedBatch&) {}
    virtual OrdererHealth health() const { return {}; }
};

// What an orderer is built from when the ledger service opens.
struct OrdererStart {
    std::int64_t last_ordered_at_ms = 0;  // of the ledger's last entry
    std::uint64_t cursor = 0;             // stored with the last committed batch
    std::int64_t clock_offset_ms = 0;
    std::size_t queue_max = 0;
};

}  // namespace rxl
