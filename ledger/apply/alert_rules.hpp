// Falsification alerts: submissions of kind "alert" (DESIGN.md section 6, "Verification"). A node raises
// one on a suspicious verification or decommission; the submitter is a node id from the genesis `nodes`,
// the key id is that same node id, and the signature is made with the node's key (Applier checks this
// before these rules run). The body is a JSON object, every member required unless said:
//
//   {"code": code, "emvs": EMVS hub code or "", "gtin": GTIN-14, "serial": serial or "",
//    "lot": lot or "", "expiry": "YYMMDD" or "", "participant": participant id (who scanned),
//    "location": GLN-13 or "", "verified_at_ms": int64, "message": text (may be "")}
//   code = "UNKNOWN_SERIAL" | "UNKNOWN_LOT" | "LOT_MISMATCH" | "EXPIRY_MISMATCH"
//        | "ALREADY_DECOMMISSIONED" | "STOLEN" | "LOCKED"
//
// "emvs" is 0 to limits::alert_emvs_code_chars_max letters and digits; "message" at most
// limits::alert_message_chars_max characters; "emvs", "serial", "lot", "expiry", "location" and "message"
// may be absent, meaning "". No other member is allowed. A malformed body, an unknown code included, is refused
// with "bad-body" (json_body.hpp). Rule: the participant is registered (unknown-participant, 422).
//
// An alert changes no unit. An accepted alert answers {"alert_id": seq}.
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
