// Raises falsification alerts as ledger entries signed by this node, off the request path: a pharmacist's
// answer never waits for the alert's entry to be ordered and committed. Alerts queue here; a few threads
// (submitters) take them in order and submit them, each waiting for its entry's commit, so that a burst of
// alerts shares group commits instead of paying one transaction each (one thread made a node that raised
// 300 alerts a second spend a third of its verification throughput on them). Alerts submitted together
// may be ordered on the ledger in another order than they were raised; each carries its verified_at_ms.
// A full queue drops (and counts) rather than blocking a verification.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/service/ledger_service.hpp"

namespace rxl {

class AlertRaiser {
public:
    static constexpr std::size_t queue_max = 10'000;
    // Alerts in flight at once: the most one group commit can hold of them.
    static constexpr std::size_t submitters = 16;

    explicit AlertRaiser(LedgerService& ledger);
    ~AlertRaiser();

    // Queues an alert body (ledger/apply/alert_rules.hpp).
    void raise(std::string body);
    // Submits what is queued, then stops.
    void stop();

    std::uint64_t raised() const { return raised_.load(); }
    std::uint64_t failed() const { return failed_.load(); }

private:
    void run();

    LedgerService& ledger_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::string> queue_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> raised_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::vector<std::thread> workers_;
};

}  // namespace rxl
