// The DSCSA Verification Router Service (VRS) responder face of verification: the request
//   GET /01/{gtin}/10/{lot}/21/{serial}?exp=YYMMDD&linkType=verificationService&context=dscsaSaleableReturn
//       &reqGLN={requestor GLN}&corrUUID={UUID}
// and its answer
//   {"verificationTimestamp": "2025-03-01T14:02:03.123Z", "responderGLN": "…",
//    "data": {"verified": true|false, "verificationFailureReason": "…", "additionalInfo": "…"},
//    "corrUUID": "…"}
// as the GS1 Lightweight Messaging Standard for Verification of Product Identifiers (1.x) and the GS1 US
// implementation guideline's response scenarios define them. The verification itself is verify.hpp's;
// this file only checks the request and maps the answer.
//
// The mapping (code → verified / verificationFailureReason / additionalInfo; "—" = member left out):
//   OK, NOT_RECEIVED, NOT_IN_CUSTODY
//                              true  / — / —               custody is no VRS question: a saleable return is
//                                                          by definition in the hands of someone the ledger
//                                                          does not show as custodian yet, and a receipt not
//                                                          yet recorded says nothing about the product
//   RECALLED, WITHDRAWN        true  / — / Recalled        ("recalled or withdrawn"; guideline scenario B1)
//   EXPIRED                    true  / — / Expired         (scenario B1 for expiry)
//   LOCKED                     false / Not_for_re-distribution / Suspect         (scenario C1.1)
//   ALREADY_DECOMMISSIONED     false / Not_for_re-distribution / Suspect         (a dispensed, destroyed or
//                                                          exported pack offered for resale is suspect)
//   STOLEN                     false / Not_for_re-distribution / Illegitimate    (scenario C1.2: DSCSA counts
//                                                          stolen product as illegitimate)
//   LOT_MISMATCH               false / No_match_GTIN_Serial_Lot, or No_match_GTIN_Serial_Lot_Expiry when the
//                                      expiry differs too / —
//   EXPIRY_MISMATCH            false / No_match_GTIN_Serial_Expiry / —
//   UNKNOWN_SERIAL, UNKNOWN_LOT, UNKNOWN_PRODUCT
//                              false / No_match_GTIN_Serial / —   (the standard stops at GTIN + serial when
//                                                          they do not match; it has no GTIN-only reason,
//                                                          "No_match_GTIN" is not a value of the standard)
//   BAD_SCAN                   false / No_reason_provided / —     (cannot happen for a request that passed
//                                                          check_vrs_request, which requires all four
//                                                          elements; kept total so no code is unmapped)
// verified is true only when GTIN, serial, lot and expiry all match a commissioned unit and nothing marks
// the pack suspect or illegitimate.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/core/result.hpp"
#include "ledger/gs1/barcode.hpp"
#include "ledger/verify/verify.hpp"

namespace rxl::verify {

// The request's fields as they arrive: the path's values percent-decoded, the query's values as given,
// empty when absent.
struct VrsRequest {
    std::string gtin;       // path, after /01/
    std::string lot;        // path, after /10/
    std::string serial;     // path, after /21/
    std::string exp;        // query "exp": expiry YYMMDD (DD may be 00: end of the month)
    std::string link_type;  // query "linkType"
    std::string context;    // query "context"
    std::string req_gln;    // query "reqGLN": the requestor's GLN
    std::string corr_uuid;  // query "corrUUID": echoed in the answer
};

// Checks a request and returns the scan to verify. Every failure is kind invalid_input, code
// "bad-vrs-request", with `pointer` naming the parameter ("/gtin", "/lot", "/serial", "/exp",
// "/linkType", "/context", "/reqGLN", "/corrUUID") and a detail saying what is wrong:
//   gtin      8, 12, 13 or 14 digits with a valid check digit (padded to 14);
//   lot       required, 1..20 characters of GS1 CSET 82;   serial  the same;
//   exp       required, YYMMDD, a real date (DD = 00 allowed);
//   linkType  optional; when present "verificationService", "gs1:verificationService" or
//             "https://gs1.org/voc/verificationService" (the Digital Link spellings of the same link type);
//   context   optional; when present "dscsaSaleableReturn", the one context the standard defines;
//   reqGLN    required, 13 digits with a valid check digit;
//   corrUUID  required, a UUID in its 8-4-4-4-12 hexadecimal text form (any version, either case).
Result<gs1::Scan> check_vrs_request(const VrsRequest& request);

// The data member of the answer. An empty view means the member is left out.
struct VrsAnswer {
    bool verified = false;
    std::string_view failure_reason;   // verificationFailureReason
    std::string_view additional_info;  // additionalInfo
    bool operator==(const VrsAnswer&) const = default;
};
VrsAnswer vrs_answer(const Verification& verification);

// Who answers, and when.
struct VrsResponder {
    std::string responder_gln;        // the answering node's participant GLN
    std::int64_t answered_at_ms = 0;  // verificationTimestamp, ms since 1970 UTC
};

// The whole answer document for a verification of `request` (only its corrUUID is used).
boost::json::object to_vrs_json(const Verification& verification, const VrsRequest& request,
                                const VrsResponder& responder);

}  // namespace rxl::verify
