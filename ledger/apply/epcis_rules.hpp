// The custody rules of DESIGN.md section 6, applied to one EPCIS document against the ledger state.
//
// Deterministic: the outcome depends only on the state, the registry, the document and the entry's
// sequence number and ordering time. A document is accepted or rejected as a whole: on rejection the
// caller rolls the working state back.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ledger/apply/registry.hpp"
#include "ledger/apply/state.hpp"
#include "ledger/core/result.hpp"
#include "ledger/epcis/document.hpp"

namespace rxl {

struct ApplyContext {
    const Registry& registry;
    const Participant& submitter;
    std::uint64_t seq = 0;
    std::int64_t ordered_at_ms = 0;
};

struct EventOutcome {
    std::string hash_id;
    std::string result;  // "applied" (changed state) or "recorded" (kept on the ledger, no state change)
};

struct DocumentOutcome {
    std::vector<EventOutcome> events;
    // Units whose chain the entry extends, in order: (unit, index of the event in the document).
    std::vector<std::pair<UnitKey, std::uint32_t>> touched_units;
};

// Applies the document's events in order. On a broken rule returns an Error of kind rule_violation
// (or conflict for a repeated event hash) whose pointer names the event: "/epcisBody/eventList/3".
Result<DocumentOutcome> apply_epcis_document(const epcis::Document& document, const ApplyContext& context,
                                            WorkingState& state);

}  // namespace rxl
