// Recalls and withdrawals: submissions of kind "recall" (DESIGN.md section 6). The submitter is the
// GTIN's manufacturer (one of its company prefixes is the GTIN's) or any regulator. The body is a JSON
// object:
//
//   {"gtin": GTIN-14, "lots": [lot, …], "class": "I" | "II" | "III", "reason": text}
//
// plus an optional "request_id" (json_body.hpp: check_request_id). "lots" absent or empty withdraws the
// whole GTIN. No other member is allowed; lots are distinct, at most
// limits::recall_lots_max; reason is 1 to limits::recall_reason_chars_max characters. A malformed body
// is refused with "bad-body" (json_body.hpp). Rules, with the code each failure gets:
//   the submitter is the GTIN's manufacturer or a regulator   not-manufacturer-or-regulator  (422)
//   the GTIN was commissioned                                  unknown-product  /gtin         (422)
//   each lot was commissioned for the GTIN                     unknown-lot      /lots/N       (422)
//   the GTIN is not withdrawn already                          already-withdrawn              (409)
//   no lot is recalled already                                 already-recalled /lots/N       (409)
//
// Irreversible: nothing undoes a recall. Its id is its entry's sequence number. A recall changes no unit:
// recalled, withdrawn are overlays read from the recall tables. An accepted recall answers
// {"recall_id": seq, "gtin": …, "withdrawal": bool, "lots": [...], "class": …}.
#pragma once

#include <string_view>

#include "ledger/apply/rules.hpp"
#include "ledger/apply/state.hpp"
#include "ledger/core/result.hpp"

namespace rxl {

Result<EntryOutcome> apply_recall(std::string_view body, const ApplyContext& context, WorkingState& state);

// The checks of apply_recall that need no ledger state (the body's JSON, members and their grammar), for
// the server to refuse a bad body before it is ordered: the same code, so the same verdict.
Status check_recall_body(std::string_view body);

}  // namespace rxl
