// Falsification alerts: submissions of kind "alert" (DESIGN.md section 6, "Verification", and section 10,
// rule 3). A node raises them on suspicious verifications, collected into one batch per window
// (ledger/service/alert_raiser.hpp); the submitter is a node id from the genesis `nodes`, the key id is
// that same node id, and the signature is made with the node's key (Applier checks this before these
// rules run). The body's grammar, both versions, is in alert_body.hpp; a malformed body is refused as a
// whole with "bad-body".
//
// Rules: every participant the body names (each alert's, each suppressed count's) is registered
// (unknown-participant, 422, pointer "/alerts/3/participant" or, in a version-1 body, "/participant").
// In a version-2 body an alert's location, when given, is a GLN its participant registered
// (not-participants-location, 422, pointer "/alerts/3/location"): the node checks the caller's location
// before it raises an alert, and every node checks it again. Version-1 entries, written before the rule,
// are not held to it. Whether the GTIN was ever commissioned is not checked: an unknown GTIN is itself
// worth an alert.
//
// An accepted entry stores each alert of its body as one alert row (AlertRow: the entry's seq, the
// alert's index in the body, its scans, the node and the ordering time); it changes no unit. The counts
// stay in the body on the ledger and in the outcome. Answers:
//   version 1: {"alert_id": seq}
//   version 2: {"alerts": n, "scans": total scans, "duplicates": d, "suppressed": s, "dropped": x,
//               "unrecorded": u}
#pragma once

#include <cstdint>
#include <string_view>

#include "ledger/apply/registry.hpp"
#include "ledger/apply/rules.hpp"
#include "ledger/apply/state.hpp"
#include "ledger/core/result.hpp"

namespace rxl {

struct AlertContext {
    const Registry& registry;
    const NodeInfo& node;
    std::uint64_t seq = 0;
    std::int64_t ordered_at_ms = 0;
};

Result<EntryOutcome> apply_alert(std::string_view body, const AlertContext& context, WorkingState& state);

}  // namespace rxl
