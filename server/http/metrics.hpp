// A small Prometheus registry: counters, gauges, histograms and gauge callbacks, rendered in the text
// exposition format (version 0.0.4) for GET /metrics.
//
// Hot path: counter(), gauge() and histogram() return a reference that stays valid for the registry's
// lifetime; updating it is a few relaxed atomic operations. Look the series up once and keep the
// reference. observe_http_request() finds its series under a shared lock and creates it on first use.
// Every member function may be called from any thread.
//
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*; registering one name
// with two different types, help texts or bucket bounds is a programming error (asserted).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rxl::http {

using Labels = std::vector<std::pair<std::string, std::string>>;  // name, value; order as given

class Counter {
public:
    void increment(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class Gauge {
public:
    void set(double value) { value_.store(value, std::memory_order_relaxed); }
    void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
    double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

class Histogram {
public:
    // Upper bounds, strictly increasing; +Inf is implied.
    explicit Histogram(std::vector<double> bucket_bounds);
    void observe(double value);

    const std::vector<double>& bucket_bounds() const { return bounds_; }
    // Cumulative count of observations <= bucket_bounds()[i]; i == bounds size gives the total count.
    std::uint64_t cumulative_count(std::size_t i) const;
    double sum() const { return sum_.load(std::memory_order_relaxed); }
    std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket, not cumulative; last is +Inf
    std::atomic<double> sum_{0.0};
    std::atomic<std::uint64_t> count_{0};
};

// Buckets for request durations in seconds: 0.5 ms to 10 s.
const std::vector<double>& http_duration_buckets_seconds();

class Metrics {
public:
    Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;
    ~Metrics();

    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
    Histogram& histogram(std::string_view name, std::string_view help, const std::vector<double>& bucket_bounds,
                         const Labels& labels = {});
    // A gauge whose value is read when rendering, for values owned elsewhere (ledger size, queue depth).
    // The callback runs on the thread calling render() and must stay callable for the registry's life.
    void register_gauge_callback(std::string_view name, std::string_view help, std::function<double()> read);

    // rxledger_http_requests_total{route,status} and rxledger_http_request_duration_seconds{route}.
    void observe_http_request(std::string_view route, unsigned status, double duration_seconds);

    // Text exposition format: HELP and TYPE per family, families sorted by name, series in creation order.
    std::string render() const;

private:
    enum class Type { counter, gauge, histogram, callback };
    struct Series;
    struct Family;
    Family& family(std::string_view name, std::string_view help, Type type, const std::vector<double>& bounds);
    Series& series(Family& family, const Labels& labels);

    mutable std::shared_mutex mutex_;  // guards the maps; series values are atomics and need no lock
    std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
    Family* http_requests_ = nullptr;   // rxledger_http_requests_total, looked up on every request
    Family* http_durations_ = nullptr;  // rxledger_http_request_duration_seconds
};

}  // namespace rxl::http
