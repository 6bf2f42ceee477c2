// Raises falsification alerts as ledger entries signed by this node, off the request path: a pharmacist's
// answer never waits for the alert's entry to be ordered and committed. Alerts queue here; one thread
// submits them in order. A full queue drops (and counts) rather than blocking a verification.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "ledger/service/ledger_service.hpp"

namespace rxl {

class AlertRaiser {
public:
    static constexpr std::size_t queue_max = 10'000;

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
    std::thread worker_;
};

}  // namespace rxl
