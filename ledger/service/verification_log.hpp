// The node's verification log: every verification is recorded (who, where, what, the answer) without
// slowing the answer down. record() only queues; a background thread writes batches to PostgreSQL
// through its own connection. When the queue is full (the database is slow or down) records are
// dropped and counted rather than making a pharmacist wait.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ledger/store/store.hpp"

namespace rxl {

class VerificationLog {
public:
    static constexpr std::size_t queue_max = 100'000;
    static constexpr std::size_t batch_max = 2'000;
    // The longest a record waits in the queue when fewer than batch_max are waiting.
    static constexpr std::uint32_t writer_pause_ms = 100;

    // Starts the writer thread with its own connection.
    static Result<std::unique_ptr<VerificationLog>> open(const std::string& database);
    ~VerificationLog();

    void record(store::VerificationRecord record);
    // Writes what is queued and stops the writer.
    void stop();

    std::uint64_t written() const { return written_.load(); }
    std::uint64_t dropped() const { return dropped_.load(); }

private:
    explicit VerificationLog(std::unique_ptr<store::Store> store);
    void run();

    std::unique_ptr<store::Store> store_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::vector<store::VerificationRecord> queue_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> written_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::thread writer_;
};

}  // namespace rxl
