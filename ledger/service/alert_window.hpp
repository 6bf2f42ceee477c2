// AlertWindow: the alerts a node collects during one window before it submits them as one alert entry
// (ledger/apply/alert_body.hpp, version 2). No thread and no clock of its own: AlertRaiser owns one,
// under its lock, and says what time it is.
//
// What add() does with an alert, in this order:
//   - duplicate: the window already holds an alert of the same unit (gtin, serial), code and
//     participant; that alert's `scans` grows by one, nothing else is kept (the first scan's lot,
//     expiry, location, time and message stay);
//   - suppressed: the participant already has `participant_alerts_max` distinct alerts in the window;
//     counted per participant;
//   - dropped: the window already holds `alerts_max` alerts (or, for a participant not yet counted as
//     suppressed, `alerts_max` suppressed counts); counted;
//   - kept: added to the window.
// Memory is bounded by `alerts_max` alerts and as many suppressed counts. take() hands the whole window
// over as a batch, with the counts and the unrecorded alerts reported by add_unrecorded(), and starts the
// next window empty.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "ledger/apply/alert_body.hpp"
#include "ledger/core/limits.hpp"

namespace rxl {

class AlertWindow {
public:
    enum class Added { kept, duplicate, suppressed, dropped };

    static_assert(limits::alert_window_alerts_max <= limits::alert_batch_alerts_max, "a full window must be a valid body");

    // Precondition: 1 <= alerts_max <= limits::alert_batch_alerts_max.
    explicit AlertWindow(std::int64_t start_ms, std::size_t alerts_max = limits::alert_window_alerts_max,
                         std::size_t participant_alerts_max = limits::alert_window_participant_alerts_max);

    Added add(AlertItem alert);
    // Alerts of earlier batches that did not reach the ledger: told in the next batch.
    void add_unrecorded(std::uint64_t alerts) { unrecorded_ += alerts; }
    // The window as a batch [start, end_ms); the next window starts at end_ms.
    AlertBatch take(std::int64_t end_ms);

    std::size_t size() const { return alerts_.size(); }
    // True when take() would give an empty batch (AlertBatch::empty()).
    bool empty() const { return !holds_scans() && unrecorded_ == 0; }
    // True when scans of this window are in it (kept, suppressed or dropped), not only unrecorded ones.
    bool holds_scans() const { return !alerts_.empty() || !suppressed_.empty() || dropped_ > 0; }

private:
    using Key = std::tuple<std::string, std::string, std::string, std::string>;  // gtin, serial, code, participant

    std::int64_t start_ms_;
    std::size_t alerts_max_;
    std::size_t participant_alerts_max_;
    std::vector<AlertItem> alerts_;
    std::map<Key, std::size_t> index_;                      // → position in alerts_
    std::map<std::string, std::size_t> kept_by_participant_;
    std::map<std::string, std::uint64_t> suppressed_;       // by participant
    std::uint64_t dropped_ = 0;
    std::uint64_t unrecorded_ = 0;
};

}  // namespace rxl
