// A node-wide budget of bytes (request bodies held, answers held for writing) and the reservations taken
// from it. Any thread may take and give back; a reservation gives its bytes back when it goes.
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

namespace rxl::http {

class ByteBudget {
public:
    explicit ByteBudget(std::size_t bytes_max) : bytes_max_(bytes_max) {}
    ByteBudget(const ByteBudget&) = delete;
    ByteBudget& operator=(const ByteBudget&) = delete;

    // Takes `bytes` if that keeps the total within the budget; false (and takes nothing) otherwise.
    bool try_take(std::size_t bytes) {
        std::size_t used = used_.load();
        do {
            if (bytes > bytes_max_ - used) return false;
        } while (!used_.compare_exchange_weak(used, used + bytes));
        return true;
    }
    void give_back(std::size_t bytes) { used_.fetch_sub(bytes); }
    bool exhausted() const { return used_.load() >= bytes_max_; }
    std::size_t used() const { return used_.load(); }
    std::size_t bytes_max() const { return bytes_max_; }

private:
    const std::size_t bytes_max_;
    std::atomic<std::size_t> used_{0};
};

// Bytes taken from a budget on behalf of one request or answer; movable, given back on destruction.
class Reservation {
public:
    Reservation() = default;
    explicit Reservation(ByteBudget& budget) : budget_(&budget) {}
    Reservation(Reservation&& other) noexcept
        : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
    Reservation& operator=(Reservation&& other) noexcept {
        if (this != &other) {
            release();
            budget_ = std::exchange(other.budget_, nullptr);
            bytes_ = std::exchange(other.bytes_, 0);
        }
        return *this;
    }
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation() { release(); }

    // Takes `bytes` more; false, and nothing more taken, when the budget cannot give them.
    bool grow(std::size_t bytes) {
        if (budget_ == nullptr || !budget_->try_take(bytes)) return false;
        bytes_ += bytes;
        return true;
    }
    void release() {
        if (budget_ != nullptr && bytes_ > 0) budget_->give_back(bytes_);
        bytes_ = 0;
    }
    std::size_t bytes() const { return bytes_; }

private:
    ByteBudget* budget_ = nullptr;
    std::size_t bytes_ = 0;
};

}  // namespace rxl::http
