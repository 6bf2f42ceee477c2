// Pharmacy pack operations: submissions of kind "pack" (DESIGN.md section 6, after the EMVS rules).
// The submitter is a participant, signed with its key as for EPCIS. The body is a JSON object:
//
//   {"op": "decommission", "gtin": GTIN-14, "serial": serial, "state": state, "location": GLN-13}
//   {"op": "undo",         "gtin": GTIN-14, "serial": serial, "location": GLN-13}
//   state = "dispensed" | "destroyed" | "exported" | "sample" | "free_sample" | "stolen" | "locked"
//         | "checked_out"
//
// plus an optional "request_id" (json_body.hpp: check_request_id), which a client sets to repeat an
// operation (dispense, undo, dispense again) without its being taken for a retry. No other member is
// allowed. A malformed body is refused with "bad-body" (json_body.hpp). Rules, with
// the code each failure gets (ErrorKind::rule_violation unless said otherwise):
//   both      location is one of the submitter's registered GLNs          not-submitters-location
//             the unit was commissioned                                    not-commissioned
//   decommission
//             "dispensed" only by a pharmacy                               not-a-pharmacy
//             the unit is not decommissioned already (detail: when, where) already-decommissioned
//             the submitter holds it                                       not-custodian
//             it is active (not in transit)                                not-active
//             to dispense: its lot is not recalled, its GTIN not withdrawn,
//             it is not expired (rules.hpp: unsaleable_reason)             lot-recalled, gtin-withdrawn, expired
//             A unit packed in a case may be decommissioned: it leaves the case.
//   undo      the unit is decommissioned                                   not-decommissioned
//             not from stolen or destroyed                                 not-undoable
//             by the participant that decommissioned it                    not-same-participant
//             at the location it was decommissioned at                     not-same-location
//             within limits::undo_window_ms of it, by ordering time,
//             inclusive; locked has no limit                               undo-window-closed
//             its lot is not recalled                                      lot-recalled
//             its GTIN is not withdrawn                                    gtin-withdrawn
//             it is not expired (expiry before the UTC ordering date)      expired
//
// An accepted operation extends the unit's chain (event index 0) and answers
// {"gtin": …, "serial": …, "status": <the unit's new status>}.
#pragma once

#include <string_view>

#include "ledger/apply/rules.hpp"
#include "ledger/apply/state.hpp"
#include "ledger/core/result.hpp"

namespace rxl {

Result<EntryOutcome> apply_pack(std::string_view body, const ApplyContext& context, WorkingState& state);

// The checks of apply_pack that need no ledger state (the body's JSON, members and their grammar), for
// the server to refuse a bad body before it is ordered: the same code, so the same verdict.
Status check_pack_body(std::string_view body);

}  // namespace rxl
