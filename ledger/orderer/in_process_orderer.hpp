// InProcessOrderer: the single-node orderer. FIFO; ordering time is the wall clock in milliseconds,
// never going backwards (a clock step back repeats the last time instead).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>

#include "ledger/orderer/orderer.hpp"

namespace rxl {

class InProcessOrderer final : public Orderer {
public:
    // `last_ordered_at_ms`: the ordering time of the ledger's last entry, so times never go backwards
    // across restarts either.
    // `clock_offset_ms` is added to the wall clock: zero in production; tests and drills move the node's
    // time forward with it (an undo window, an expiry) without touching the machine's clock.
    InProcessOrderer(std::size_t queue_max, std::int64_t last_ordered_at_ms, std::int64_t clock_offset_ms = 0);

    Status append(Submission submission) override;
    std::vector<OrderedSubmission> next_batch(std::size_t max, std::uint32_t wait_ms) override;
    void close() override;
    std::size_t queued() const override;

private:
    const std::size_t queue_max_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Submission> queue_;
    std::int64_t last_ordered_at_ms_;
    std::int64_t clock_offset_ms_ = 0;
    bool closed_ = false;
};

}  // namespace rxl
