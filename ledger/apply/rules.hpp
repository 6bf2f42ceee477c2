// What the rule sets of every submission kind (epcis, pack, recall, alert) share: the context an entry is
// applied in, what an accepted entry yields, and the unit transitions that more than one kind makes.
//
// Keeping the decommission transition here, once, is what makes a unit dispensed by an EPCIS event and
// one dispensed by a pack operation reach the same state, and lets either be undone the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/apply/registry.hpp"
#include "ledger/apply/state.hpp"

namespace rxl {

struct ApplyContext {
    const Registry& registry;
    const Participant& submitter;
    std::uint64_t seq = 0;
    std::int64_t ordered_at_ms = 0;
};

// Units whose chain an entry extends, in order: (unit, index of the event in the entry; 0 for kinds
// that are one operation).
using TouchedUnits = std::vector<std::pair<UnitKey, std::uint32_t>>;

// What an accepted entry yields: the chains to extend, and the JSON its answer carries.
struct EntryOutcome {
    TouchedUnits touched_units;
    std::string detail_json;
};

// True if a participant of `role` may decommission a unit to `status`: only a pharmacy dispenses;
// anyone holding a unit may put it in any other decommissioned state. Precondition: is_decommissioned(status).
bool role_may_decommission_to(Role role, UnitStatus status);

// The decommission transition: status, when (the entry's ordering time), where and by whom; the unit
// leaves any case it was in (a pack taken out of its case to be dispensed). Checks are the caller's.
void mark_decommissioned(UnitState& unit, UnitStatus status, std::string location, const ApplyContext& context);

// Undoes a decommission: the unit is active again, where and with whom it was; the decommission fields
// are cleared. Precondition: is_decommissioned(unit.status).
void reinstate(UnitState& unit, const ApplyContext& context);

// Why a unit may not be handed to a patient or put back into trade: its lot is recalled ("lot-recalled"),
// its GTIN withdrawn ("gtin-withdrawn"), or it is expired at `at_ms` ("expired"). nullopt if none.
// Dispensing (by EPCIS or pack) and undoing a decommission both refuse on these grounds; destroying,
// locking or reporting a unit stolen does not, since that is what one does with recalled stock.
struct Refusal {
    std::string code;
    std::string detail;
};
std::optional<Refusal> unsaleable_reason(const UnitState& unit, std::int64_t at_ms, WorkingState& state);

// The UTC calendar date of an instant, "YYYY-MM-DD" (the spelling of UnitState::expiry).
std::string utc_date(std::int64_t at_ms);
// The instant as RFC 3339 UTC with milliseconds, "2025-06-15T09:30:00.000Z", for messages.
std::string utc_timestamp(std::int64_t at_ms);
// True if a unit with this expiry date ("YYYY-MM-DD") is expired at `at_ms`: its date is before the UTC
// date of that instant (a pack is usable through its expiry day).
bool is_expired(const std::string& expiry, std::int64_t at_ms);

}  // namespace rxl
