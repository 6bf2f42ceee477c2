#include "ledger/service/verification_log.hpp"

#include <chrono>
#include <cstdio>

namespace rxl {

Result<std::unique_ptr<VerificationLog>> VerificationLog::open(const std::string& database) {
    auto store = store::Store::connect(database);
    if (!store) return store.error();
    std::unique_ptr<VerificationLog> log(new VerificationLog(std::move(store).value()));
    log->writer_ = std::thread([raw = log.get()] { raw->run(); });
    return log;
}

VerificationLog::VerificationLog(std::unique_ptr<store::Store> store) : store_(std::move(store)) {}

VerificationLog::~VerificationLog() { stop(); }

void VerificationLog::record(store::VerificationRecord record) {
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= queue_max || stopping_) {
            ++dropped_;
            return;
        }
        queue_.push_back(std::move(record));
        // Waking the writer for every record would cost a thread switch per verification: it is woken
        // when a whole batch is waiting and otherwise picks records up every writer_pause_ms.
        if (queue_.size() != batch_max) return;
    }
    ready_.notify_one();
}

void VerificationLog::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    ready_.notify_one();
    if (writer_.joinable()) writer_.join();
}

void VerificationLog::run() {
    std::vector<store::VerificationRecord> batch;
    while (true) {
        {
            std::unique_lock lock(mutex_);
            ready_.wait_for(lock, std::chrono::milliseconds(writer_pause_ms), [&] { return stopping_ || queue_.size() >= batch_max; });
            if (queue_.empty() && !stopping_) continue;
            if (queue_.empty() && stopping_) return;
            std::size_t take = std::min(queue_.size(), batch_max);
            batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(take)));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
        }
        try {
            store_->write_verifications(batch);
            written_ += batch.size();
        } catch (const std::exception& error) {
            // The log is not the ledger: losing a batch is reported and counted, never fatal.
            dropped_ += batch.size();
            std::fprintf(stderr, "rxledgerd: verification log: %zu records lost: %s\n", batch.size(), error.what());
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }
}

}  // namespace rxl
