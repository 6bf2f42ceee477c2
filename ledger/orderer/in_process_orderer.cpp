#include "ledger/orderer/in_process_orderer.hpp"

#include <chrono>

namespace rxl {

InProcessOrderer::InProcessOrderer(std::size_t queue_max, std::int64_t last_ordered_at_ms, std::int64_t clock_offset_ms)
    : queue_max_(queue_max), last_ordered_at_ms_(last_ordered_at_ms), clock_offset_ms_(clock_offset_ms) {}

Status InProcessOrderer::append(Submission submission) {
    {
        std::lock_guard lock(mutex_);
        if (closed_) return make_error(ErrorKind::unavailable, "shutting-down", "the node is shutting down");
        if (queue_.size() >= queue_max_) {
            return make_error(ErrorKind::unavailable, "queue-full",
                              "the node has " + std::to_string(queue_max_) + " submissions waiting; retry shortly");
        }
        queue_.push_back(std::move(submission));
    }
    ready_.notify_one();
    return ok_status();
}

std::vector<OrderedSubmission> InProcessOrderer::next_batch(std::size_t max, std::uint32_t wait_ms) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return closed_ || !queue_.empty(); });
    std::vector<OrderedSubmission> batch;
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count() + clock_offset_ms_;
    last_ordered_at_ms_ = std::max<std::int64_t>(last_ordered_at_ms_, now_ms);
    while (!queue_.empty() && batch.size() < max) {
        batch.push_back({std::move(queue_.front()), last_ordered_at_ms_, 0});
        queue_.pop_front();
    }
    return batch;
}

void InProcessOrderer::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    ready_.notify_all();
}

std::size_t InProcessOrderer::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

}  // namespace rxl
