// Raises falsification alerts as ledger entries signed by this node, off the request path: a pharmacist's
// answer never waits for an alert's entry to be ordered and committed.
//
// Alerts are aggregated (DESIGN.md section 10, rule 3): raise() puts an alert into the current
// AlertWindow (alert_window.hpp: duplicates of a unit, code and participant folded, a per-participant
// limit, a bounded window) and never blocks on the database. One thread closes the window every
// `window_ms` (limits::alert_window_ms) and submits what it holds as ONE alert entry (a version-2 body,
// ledger/apply/alert_body.hpp), waiting for its commit before it opens the next one, so the ledger grows
// by at most one alert entry per window, whatever is scanned. Nothing is lost without a count: what the
// window folds, suppresses or drops is counted in the entry and here; alerts of an entry that did not
// reach the ledger are counted here and in the next entry ("unrecorded").
//
// Counters, for /metrics: every scan that called for an alert is one of scans() = recorded + duplicates
// + suppressed + dropped + failed + pending (pending: kept in the window, not yet submitted).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "ledger/apply/alert_body.hpp"
#include "ledger/service/alert_window.hpp"
#include "ledger/service/ledger_service.hpp"

namespace rxl {

struct AlertRaiserCounts {
    std::uint64_t scans = 0;       // raise() calls
    std::uint64_t recorded = 0;    // alerts in accepted alert entries
    std::uint64_t duplicates = 0;  // folded into an alert of the same unit, code and participant
    std::uint64_t suppressed = 0;  // past a participant's limit in a window
    std::uint64_t dropped = 0;     // the window was full, or the raiser was stopping
    std::uint64_t failed = 0;      // in an alert entry that was refused or timed out
    std::uint64_t entries = 0;     // accepted alert entries
    std::uint64_t pending = 0;     // in the current window
};

class AlertRaiser {
public:
    explicit AlertRaiser(LedgerService& ledger, std::chrono::milliseconds window = std::chrono::milliseconds(limits::alert_window_ms));
    ~AlertRaiser();
    AlertRaiser(const AlertRaiser&) = delete;
    AlertRaiser& operator=(const AlertRaiser&) = delete;

    // Adds an alert to the current window; cheap (a lock and a map look-up), callable from any thread.
    void raise(AlertItem alert);
    // Submits the current window, then stops; later alerts are counted as dropped.
    void stop();

    AlertRaiserCounts counts() const;

private:
    void run();
    void submit(const AlertBatch& batch);

    LedgerService& ledger_;
    const std::chrono::milliseconds window_;
    mutable std::mutex mutex_;
    std::condition_variable stopping_changed_;
    AlertWindow current_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> scans_{0}, recorded_{0}, duplicates_{0}, suppressed_{0}, dropped_{0}, failed_{0}, entries_{0};
    std::thread worker_;
};

}  // namespace rxl
