// The custody rules of DESIGN.md section 6, applied to one EPCIS document against the ledger state.
//
// Deterministic: the outcome depends only on the state, the registry, the document and the entry's
// sequence number and ordering time. A document is accepted or rejected as a whole: on rejection the
// caller rolls the working state back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/apply/registry.hpp"
#include "ledger/apply/rules.hpp"
#include "ledger/apply/state.hpp"
#include "ledger/core/result.hpp"
#include "ledger/epcis/document.hpp"

namespace rxl {

struct EventOutcome {
    std::string hash_id;
    std::string result;  // "applied" (changed state) or "recorded" (kept on the ledger, no state change)
};

struct DocumentOutcome {
    std::vector<EventOutcome> events;
    // Units whose chain the entry extends, in order: (unit, index of the event in the document).
    TouchedUnits touched_units;
};

// Applies the document's events in order. On a broken rule returns an Error of kind rule_violation
// (or conflict for a repeated event hash) whose pointer names the event: "/epcisBody/eventList/3".
Result<DocumentOutcome> apply_epcis_document(const epcis::Document& document, const ApplyContext& context,
                                            WorkingState& state);

}  // namespace rxl
