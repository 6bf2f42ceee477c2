// Prometheus registry and text exposition (https://prometheus.io/docs/instrumenting/exposition_formats/).
#include "server/http/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "ledger/core/assert.hpp"

namespace rxl::http {

struct Metrics::Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
};

struct Metrics::Family {
    std::string name;
    std::string help;
    Type type;
    std::vector<double> bounds;                                 // histograms only
    std::function<double()> read;                               // callbacks only
    std::map<Labels, std::unique_ptr<Series>> by_labels;
    std::vector<const Series*> in_order;                        // creation order, for stable output
};

namespace {

bool is_name(std::string_view name, bool colon_allowed) {
    if (name.empty()) return false;
    auto allowed = [&](char c, bool first) {
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_allowed && c == ':');
        return letter || (!first && c >= '0' && c <= '9');
    };
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (!allowed(name[i], i == 0)) return false;
    }
    return true;
}

// HELP text escapes backslash and newline; label values also escape the double quote.
std::string escape(std::string_view text, bool quote) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (quote && c == '"') out += "\\\"";
        else out += c;
    }
    return out;
}

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", value);
}

// {a="1",b="2"}, with `extra` (the histogram's le) appended; empty when there are no labels at all.
std::string format_labels(const Labels& labels, std::string_view extra = {}) {
    std::string out;
    for (const auto& [name, value] : labels) {
        out += out.empty() ? "{" : ",";
        out += name + "=\"" + escape(value, true) + "\"";
    }
    if (!extra.empty()) out += (out.empty() ? "{" : ",") + std::string(extra);
    if (!out.empty()) out += "}";
    return out;
}

std::string_view type_name(int type) {
    static constexpr std::string_view names[] = {"counter", "gauge", "histogram", "gauge"};
    return names[type];
}

}  // namespace

Histogram::Histogram(std::vector<double> bucket_bounds)
    : bounds_(std::move(bucket_bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
    RXL_ASSERT_MSG(std::adjacent_find(bounds_.begin(), bounds_.end(), std::greater_equal<>()) == bounds_.end(),
                   "histogram bucket bounds must increase strictly");
    for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) {
    // Bucket i holds observations in (bounds[i-1], bounds[i]]: Prometheus buckets are "less or equal".
    const auto bucket = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t Histogram::cumulative_count(std::size_t i) const {
    RXL_ASSERT(i <= bounds_.size());
    std::uint64_t total = 0;
    for (std::size_t b = 0; b <= i; ++b) total += buckets_[b].load(std::memory_order_relaxed);
    return total;
}

const std::vector<double>& http_duration_buckets_seconds() {
    static const std::vector<double> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
    return buckets;
}

Metrics::Metrics() {
    std::unique_lock lock(mutex_);
    http_requests_ = &family("rxledger_http_requests_total", "HTTP requests answered, by route and status.",
                             Type::counter, {});
    http_durations_ = &family("rxledger_http_request_duration_seconds",
                              "Time from a request fully read to its response fully written, by route.",
                              Type::histogram, http_duration_buckets_seconds());
}

Metrics::~Metrics() = default;

// Precondition: mutex_ held exclusively.
Metrics::Family& Metrics::family(std::string_view name, std::string_view help, Type type,
                                 const std::vector<double>& bounds) {
    RXL_ASSERT_MSG(is_name(name, true), "invalid metric name");
    auto found = families_.find(name);
    if (found != families_.end()) {
        const Family& existing = *found->second;
        RXL_ASSERT_MSG(existing.type == type && existing.help == help && existing.bounds == bounds,
                       "metric registered twice with different type, help or buckets");
        return *found->second;
    }
    auto created = std::make_unique<Family>(Family{std::string(name), std::string(help), type, bounds, {}, {}, {}});
    return *families_.emplace(std::string(name), std::move(created)).first->second;
}

// Precondition: mutex_ held exclusively.
Metrics::Series& Metrics::series(Family& owner, const Labels& labels) {
    auto found = owner.by_labels.find(labels);
    if (found != owner.by_labels.end()) return *found->second;
    for (const auto& [label, value] : labels) {
        RXL_ASSERT_MSG(is_name(label, false) && label != "le", "invalid label name");
    }
    auto created = std::make_unique<Series>();
    created->labels = labels;
    if (owner.type == Type::counter) created->counter = std::make_unique<Counter>();
    if (owner.type == Type::gauge) created->gauge = std::make_unique<Gauge>();
    if (owner.type == Type::histogram) created->histogram = std::make_unique<Histogram>(owner.bounds);
    owner.in_order.push_back(created.get());
    return *owner.by_labels.emplace(labels, std::move(created)).first->second;
}

Counter& Metrics::counter(std::string_view name, std::string_view help, const Labels& labels) {
    std::unique_lock lock(mutex_);
    return *series(family(name, help, Type::counter, {}), labels).counter;
}

Gauge& Metrics::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    std::unique_lock lock(mutex_);
    return *series(family(name, help, Type::gauge, {}), labels).gauge;
}

Histogram& Metrics::histogram(std::string_view name, std::string_view help, const std::vector<double>& bucket_bounds,
                              const Labels& labels) {
    std::unique_lock lock(mutex_);
    return *series(family(name, help, Type::histogram, bucket_bounds), labels).histogram;
}

void Metrics::register_gauge_callback(std::string_view name, std::string_view help, std::function<double()> read) {
    RXL_ASSERT(static_cast<bool>(read));
    std::unique_lock lock(mutex_);
    Family& owner = family(name, help, Type::callback, {});
    RXL_ASSERT_MSG(!owner.read, "gauge callback registered twice");
    owner.read = std::move(read);
}

void Metrics::observe_http_request(std::string_view route, unsigned status, double duration_seconds) {
    const Labels request_labels{{"route", std::string(route)}, {"status", std::to_string(status)}};
    const Labels route_labels{{"route", std::string(route)}};
    Counter* requests = nullptr;
    Histogram* durations = nullptr;
    {
        // Common case: both series exist, a shared lock suffices.
        std::shared_lock lock(mutex_);
        auto found_requests = http_requests_->by_labels.find(request_labels);
        auto found_durations = http_durations_->by_labels.find(route_labels);
        if (found_requests != http_requests_->by_labels.end()) requests = found_requests->second->counter.get();
        if (found_durations != http_durations_->by_labels.end()) durations = found_durations->second->histogram.get();
    }
    if (requests == nullptr || durations == nullptr) {
        std::unique_lock lock(mutex_);
        requests = series(*http_requests_, request_labels).counter.get();
        durations = series(*http_durations_, route_labels).histogram.get();
    }
    requests->increment();
    durations->observe(duration_seconds);
}

std::string Metrics::render() const {
    std::shared_lock lock(mutex_);
    std::string out;
    for (const auto& [name, owner] : families_) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape(owner->help, false), name,
                           type_name(static_cast<int>(owner->type)));
        if (owner->type == Type::callback) {
            out += fmt::format("{} {}\n", name, format_value(owner->read()));
            continue;
        }
        for (const Series* each : owner->in_order) {
            const std::string labels = format_labels(each->labels);
            if (each->counter) out += fmt::format("{}{} {}\n", name, labels, each->counter->value());
            if (each->gauge) out += fmt::format("{}{} {}\n", name, labels, format_value(each->gauge->value()));
            if (!each->histogram) continue;
            const Histogram& histogram = *each->histogram;
            const auto& bounds = histogram.bucket_bounds();
            for (std::size_t i = 0; i <= bounds.size(); ++i) {
                const std::string le = "le=\"" + (i < bounds.size() ? format_value(bounds[i]) : "+Inf") + "\"";
                out += fmt::format("{}_bucket{} {}\n", name, format_labels(each->labels, le), histogram.cumulative_count(i));
            }
            out += fmt::format("{}_sum{} {}\n", name, labels, format_value(histogram.sum()));
            // The +Inf bucket, not count(): the two are read at different moments under concurrent
            // observations, and Prometheus expects them to be equal.
            out += fmt::format("{}_count{} {}\n", name, labels, histogram.cumulative_count(bounds.size()));
        }
    }
    return out;
}

}  // namespace rxl::http
