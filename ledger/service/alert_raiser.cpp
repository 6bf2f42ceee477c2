#include "ledger/service/alert_raiser.hpp"

#include <cstdio>

namespace rxl {

namespace {

constexpr std::chrono::milliseconds alert_commit_timeout{30'000};

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

AlertRaiser::AlertRaiser(LedgerService& ledger, std::chrono::milliseconds window)
    : ledger_(ledger), window_(window), current_(wall_ms()) {
    worker_ = std::thread([this] { run(); });
}

AlertRaiser::~AlertRaiser() { stop(); }

void AlertRaiser::raise(AlertItem alert) {
    ++scans_;
    AlertWindow::Added added = AlertWindow::Added::dropped;
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) added = current_.add(std::move(alert));
    }
    switch (added) {
        case AlertWindow::Added::kept: break;
        case AlertWindow::Added::duplicate: ++duplicates_; break;
        case AlertWindow::Added::suppressed: ++suppressed_; break;
        case AlertWindow::Added::dropped: ++dropped_; break;
    }
}

void AlertRaiser::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    stopping_changed_.notify_all();
    if (worker_.joinable()) worker_.join();
}

AlertRaiserCounts AlertRaiser::counts() const {
    AlertRaiserCounts counts{scans_.load(), recorded_.load(), duplicates_.load(), suppressed_.load(),
                             dropped_.load(), failed_.load(),  entries_.load(),    0};
    std::lock_guard lock(mutex_);
    counts.pending = current_.size();
    return counts;
}

// One window at a time: wait for it to end (or for stop()), take it, submit it and wait for its commit,
// then the next. A submission slower than a window delays the next entry; it never adds one.
void AlertRaiser::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        auto window_end = std::chrono::steady_clock::now() + window_;
        bool stop = stopping_changed_.wait_until(lock, window_end, [&] { return stopping_; });
        // Unrecorded counts alone wait for the next window with scans: a node that cannot write (its
        // ledger refused, its orderer down) then tries once per window with alerts, not once a second.
        if (!current_.holds_scans()) {
            if (stop) return;
            continue;
        }
        AlertBatch batch = current_.take(wall_ms());
        lock.unlock();
        submit(batch);
        lock.lock();
        if (stop) return;
    }
}

void AlertRaiser::submit(const AlertBatch& batch) {
    auto answer = ledger_.submit_as_node(SubmissionKind::alert, alert_batch_body(batch), alert_commit_timeout);
    if (answer && answer->outcome == outcome_accepted) {
        ++entries_;
        recorded_ += batch.alerts.size();
        return;
    }
    failed_ += batch.alerts.size();
    {
        std::lock_guard lock(mutex_);
        current_.add_unrecorded(batch.alerts.size() + batch.unrecorded);
    }
    std::fprintf(stderr, "rxledgerd: an alert entry of %zu alerts was not recorded: %s\n", batch.alerts.size(),
                 answer ? answer->outcome.c_str() : answer.error().detail.c_str());
}

}  // namespace rxl
