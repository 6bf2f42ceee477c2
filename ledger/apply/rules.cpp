#include "ledger/apply/rules.hpp"

#include <fmt/format.h>

#include <chrono>

#include "ledger/core/assert.hpp"

namespace rxl {

bool role_may_decommission_to(Role role, UnitStatus status) {
    RXL_ASSERT(is_decommissioned(status));
    return status != UnitStatus::dispensed || role == Role::pharmacy;
}

void mark_decommissioned(UnitState& unit, UnitStatus status, std::string location, const ApplyContext& context) {
    RXL_ASSERT(is_decommissioned(status));
    unit.status = status;
    unit.parent.clear();
    unit.decommissioned_at_ms = context.ordered_at_ms;
    unit.decommissioned_location = std::move(location);
    unit.decommissioned_by = context.submitter.id;
    unit.updated_seq = context.seq;
}

void reinstate(UnitState& unit, const ApplyContext& context) {
    RXL_ASSERT(is_decommissioned(unit.status));
    unit.status = UnitStatus::active;
    unit.decommissioned_at_ms = 0;
    unit.decommissioned_location.clear();
    unit.decommissioned_by.clear();
    unit.updated_seq = context.seq;
}

std::optional<Refusal> unsaleable_reason(const UnitState& unit, std::int64_t at_ms, WorkingState& state) {
    if (auto recall = state.lot_recall(unit.key.gtin, unit.lot)) {
        return Refusal{"lot-recalled", fmt::format("lot {} of GTIN {} was recalled by recall {}", unit.lot,
                                                   unit.key.gtin, *recall)};
    }
    if (auto recall = state.gtin_withdrawal(unit.key.gtin)) {
        return Refusal{"gtin-withdrawn", fmt::format("GTIN {} was withdrawn by recall {}", unit.key.gtin, *recall)};
    }
    if (is_expired(unit.expiry, at_ms)) {
        return Refusal{"expired", fmt::format("unit (01){}(21){} expired on {}", unit.key.gtin, unit.key.serial,
                                              unit.expiry)};
    }
    return std::nullopt;
}

namespace {

using std::chrono::milliseconds;
using std::chrono::sys_time;

struct UtcParts {
    std::chrono::year_month_day date;
    std::chrono::hh_mm_ss<milliseconds> time;
};

UtcParts utc_parts(std::int64_t at_ms) {
    sys_time<milliseconds> instant{milliseconds(at_ms)};
    auto day = std::chrono::floor<std::chrono::days>(instant);
    return {std::chrono::year_month_day(day), std::chrono::hh_mm_ss<milliseconds>(instant - day)};
}

std::string format_date(const std::chrono::year_month_day& date) {
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                       static_cast<unsigned>(date.day()));
}

}  // namespace

std::string utc_date(std::int64_t at_ms) { return format_date(utc_parts(at_ms).date); }

std::string utc_timestamp(std::int64_t at_ms) {
    UtcParts parts = utc_parts(at_ms);
    return fmt::format("{}T{:02}:{:02}:{:02}.{:03}Z", format_date(parts.date), parts.time.hours().count(),
                       parts.time.minutes().count(), parts.time.seconds().count(), parts.time.subseconds().count());
}

bool is_expired(const std::string& expiry, std::int64_t at_ms) {
    // Both are "YYYY-MM-DD" with four-digit years, so text order is date order.
    return expiry < utc_date(at_ms);
}

}  // namespace rxl
