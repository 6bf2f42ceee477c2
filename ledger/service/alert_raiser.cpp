#include "ledger/service/alert_raiser.hpp"

#include <cstdio>

namespace rxl {

namespace {
constexpr std::chrono::milliseconds alert_commit_timeout{30'000};
}

AlertRaiser::AlertRaiser(LedgerService& ledger) : ledger_(ledger) {
    for (std::size_t i = 0; i < submitters; ++i) workers_.emplace_back([this] { run(); });
}

AlertRaiser::~AlertRaiser() { stop(); }

void AlertRaiser::raise(std::string body) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= queue_max) {
            ++failed_;
            return;
        }
        queue_.push_back(std::move(body));
    }
    ready_.notify_one();
}

void AlertRaiser::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    ready_.notify_all();
    for (auto& worker : workers_) {
        if (worker.joinable()) worker.join();
    }
}

void AlertRaiser::run() {
    while (true) {
        std::string body;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            body = std::move(queue_.front());
            queue_.pop_front();
        }
        auto answer = ledger_.submit_as_node(SubmissionKind::alert, body, alert_commit_timeout);
        if (answer && answer->outcome == outcome_accepted) {
            ++raised_;
        } else {
            ++failed_;
            std::fprintf(stderr, "rxledgerd: an alert was not recorded: %s\n",
                         answer ? answer->outcome.c_str() : answer.error().detail.c_str());
        }
    }
}

}  // namespace rxl
