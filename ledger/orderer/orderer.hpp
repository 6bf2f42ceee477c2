// The orderer gives every submission its place in one total order, and its ordering time.
//
// Single node: InProcessOrderer, a queue in this process. Consortium: an etcd-backed orderer (a later
// module) whose order is etcd's revision order. Apply code is the same for both: it pulls batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ledger/apply/applier.hpp"
#include "ledger/core/result.hpp"

namespace rxl {

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
};

}  // namespace rxl
