#include "ledger/service/alert_window.hpp"

#include <algorithm>

#include "ledger/core/assert.hpp"

namespace rxl {

AlertWindow::AlertWindow(std::int64_t start_ms, std::size_t alerts_max, std::size_t participant_alerts_max)
    : start_ms_(start_ms), alerts_max_(alerts_max), participant_alerts_max_(participant_alerts_max) {
    RXL_ASSERT(alerts_max_ >= 1 && alerts_max_ <= limits::alert_batch_alerts_max);
}

AlertWindow::Added AlertWindow::add(AlertItem alert) {
    Key key{alert.gtin, alert.serial, alert.code, alert.participant};
    if (auto found = index_.find(key); found != index_.end()) {
        ++alerts_[found->second].scans;
        return Added::duplicate;
    }
    auto kept = kept_by_participant_.find(alert.participant);
    if (kept != kept_by_participant_.end() && kept->second >= participant_alerts_max_) {
        auto counted = suppressed_.find(alert.participant);
        if (counted != suppressed_.end()) {
            ++counted->second;
            return Added::suppressed;
        }
        // A body carries at most as many suppressed counts as alerts (alert_body.hpp).
        if (suppressed_.size() >= alerts_max_) {
            ++dropped_;
            return Added::dropped;
        }
        suppressed_.emplace(alert.participant, 1);
        return Added::suppressed;
    }
    if (alerts_.size() >= alerts_max_) {
        ++dropped_;
        return Added::dropped;
    }
    ++kept_by_participant_[alert.participant];
    alert.scans = 1;
    index_.emplace(std::move(key), alerts_.size());
    alerts_.push_back(std::move(alert));
    return Added::kept;
}

AlertBatch AlertWindow::take(std::int64_t end_ms) {
    AlertBatch batch;
    batch.window_start_ms = start_ms_;
    batch.window_end_ms = std::max(end_ms, start_ms_);
    batch.alerts = std::move(alerts_);
    for (auto& [participant, alerts] : suppressed_) batch.suppressed.push_back({participant, alerts});  // map order: increasing
    batch.dropped = dropped_;
    batch.unrecorded = unrecorded_;
    start_ms_ = batch.window_end_ms;
    alerts_.clear();
    index_.clear();
    kept_by_participant_.clear();
    suppressed_.clear();
    dropped_ = 0;
    unrecorded_ = 0;
    return batch;
}

}  // namespace rxl
