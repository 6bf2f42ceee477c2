// The /v1/verify answer: a Verification as JSON (snake_case members).
//
//   {"genuine": true, "dispensable": false, "status": "dispensed", "code": "ALREADY_DECOMMISSIONED",
//    "message": "This pack was already dispensed on …",
//    "product": {"gtin": "09506000134352", "lot": "L1", "expiry": "2027-05-31", "manufacturer": "acme"},
//    "custodian": "pharmacy-7", "location": "4012345000009",
//    "decommissioned": {"state": "dispensed", "at": "2025-03-01T14:02:03.123Z", "location": "4012345000009",
//                       "by": "pharmacy-7"},
//    "alert": {"code": "ALREADY_DECOMMISSIONED", "emvs": "A24"},
//    "ledger_size": 1234}
//
// Every member is always present. A string the Verification leaves empty (status of a pack that is not
// genuine, an unknown manufacturer, custodian and location of a pack that is not genuine, an unscanned lot
// or expiry, a decommission location never recorded) is null; so are `decommissioned` and `alert` when there
// are none, and `product` for a BAD_SCAN whose input never parsed. Times are ISO 8601 UTC with milliseconds.
#pragma once

#include <boost/json/object.hpp>

#include "ledger/verify/verify.hpp"

namespace rxl::verify {

boost::json::object to_json(const Verification& verification);

}  // namespace rxl::verify
