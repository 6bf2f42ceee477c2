// The verification decision (DESIGN.md section 6, "Verification: what a pharmacist gets back"): from one
// parsed scan and the facts the node's store holds about it, is the pack genuine, may the caller dispense
// it, why not, and which falsification alert to raise.
//
// Pure: no I/O, no clock (the caller passes today's date), no database. The caller fills VerifyFacts from
// its store and raises the returned alert as a ledger entry; this file only decides.
//
// Precedence. Several codes can apply to one scan; the first that applies, in this order, is the answer:
//   1. UNKNOWN_PRODUCT         the GTIN was never commissioned: nothing more can be said.
//   2. BAD_SCAN                the scan lacks the serial, lot or expiry (a linear barcode, or fields typed
//                              without them): genuineness needs all four, and a missing element is a
//                              scanning problem, never a falsification alert.
//   3. UNKNOWN_LOT             no unit has this serial and the scanned lot was never commissioned for the
//                              GTIN (EMVS looks up the batch before the pack, so a made-up batch is A2).
//   4. UNKNOWN_SERIAL          no unit has this serial; the lot exists.
//   5. LOT_MISMATCH            the serial exists in another lot. Beats everything below: the pack in hand
//                              is not the unit the ledger knows, so that unit's recall, state or custody
//                              says nothing about it (a recalled lot does not make a mismatch dispensable
//                              or excusable).
//   6. EXPIRY_MISMATCH         the serial and lot match, the expiry does not.
//   --- from here on the pack is genuine ---
//   7. STOLEN                  reported stolen: a criminal matter that beats every other fact.
//   8. LOCKED                  quarantined as suspect.
//   9. ALREADY_DECOMMISSIONED  dispensed, destroyed, exported, sample, free sample or checked out. A fact
//                              about this very pack (and possibly an alert) beats the lot-level overlays:
//                              a dispensed pack of a recalled lot reappearing is news, the recall is not.
//  10. RECALLED                the lot is recalled. Beats withdrawal: the recall names this lot, carries a
//                              class (urgency) and its own instructions.
//  11. WITHDRAWN               the whole GTIN is withdrawn.
//  12. EXPIRED                 the commissioned expiry date is before today (UTC). Recall and withdrawal
//                              beat expiry: they are deliberate actions with instructions to follow.
//  13. NOT_RECEIVED            genuine, saleable, shipped to the caller (in_transit, destination = the
//                              caller), its receipt not yet recorded: not dispensable until it is.
//  14. NOT_IN_CUSTODY          genuine, saleable, but neither held by the caller (active, custodian = the
//                              caller) nor shipped to it.
//  15. OK                      genuine, active, held by the caller: dispensable.
//
// Dispensable means a dispense by the caller, submitted now, is accepted (ledger/apply/pack_rules.cpp: the
// custodian, from active, not recalled, withdrawn or expired at the ordering time; DESIGN.md section 6).
// A pack shipped to the caller is not yet in its custody, so the pack rules would refuse to dispense it:
// NOT_RECEIVED says which step comes first. The one difference left is the caller's role: only a pharmacy
// dispenses, and verification does not know who asks beyond the participant id.
//
// NOT_IN_CUSTODY and NOT_RECEIVED are not in DESIGN.md's table (section 6 asks for a code of their own).
// For NOT_IN_CUSTODY, OK would tell a machine to dispense a pack the ledger places elsewhere; every code of the table would be false (the pack is genuine and saleable) and several raise
// falsification alerts. A genuine pack held by someone else usually means a receipt not yet recorded
// (the shipment was never captured, or the receiving event is late), so NOT_IN_CUSTODY raises no alert
// and says who holds it: dispensing waits until custody reaches the caller on the ledger.
//
// Alerts (Alert::emvs is the EMVS hub alert the node's alert mirrors):
//   UNKNOWN_SERIAL A3 · UNKNOWN_LOT A2 · LOT_MISMATCH A68 · EXPIRY_MISMATCH A52 ·
//   ALREADY_DECOMMISSIONED A24, only when scanned somewhere other than where it was decommissioned ·
//   STOLEN A24 and LOCKED A24, always: EMVS has no alert of their own, and raises A24 ("pack already
//   inactive", NMVS_NC_PCK_22) when such a pack meets a status change; a stolen or quarantined pack being
//   scanned is exactly what its manufacturer and the regulator need to see.
//   UNKNOWN_PRODUCT, BAD_SCAN, RECALLED, WITHDRAWN, EXPIRED, NOT_RECEIVED, NOT_IN_CUSTODY and OK raise none.
//
// "Somewhere other": both the caller's location and the decommission location are GLNs and differ; when
// either is unknown (empty), the participants are compared instead (the caller against the decommissioner).
//
// Genuineness relies on apply, which admits commissioning only by the owner of the GTIN's company prefix:
// a commissioned unit is the GTIN owner's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/apply/state.hpp"
#include "ledger/core/result.hpp"
#include "ledger/gs1/barcode.hpp"

namespace rxl::verify {

// A recall of a lot, or a withdrawal of a GTIN, as recorded on the ledger.
struct RecallMark {
    std::uint64_t recall_seq = 0;  // the ledger entry that recalled or withdrew
    std::string recall_class;      // "I", "II", "III" for a recall; may be empty (a withdrawal has none)
    std::int64_t at_ms = 0;        // the entry's ordering time, ms since 1970 UTC
};

// What the store knows about a scan's GTIN, serial and lot. The caller fills it at one ledger size.
struct VerifyFacts {
    bool gtin_known = false;               // some unit with this GTIN was commissioned
    std::string manufacturer;              // participant owning the GTIN's company prefix, or empty
    std::optional<UnitState> unit;         // the (gtin, serial) unit, if commissioned
    bool scanned_lot_known = false;        // the scanned lot was commissioned for this GTIN
    std::optional<RecallMark> lot_recall;  // the unit's lot is recalled (the scanned lot when no unit)
    std::optional<RecallMark> withdrawal;  // the whole GTIN is withdrawn
    std::uint64_t ledger_size = 0;         // the ledger size these facts reflect
};

// Who asks.
struct Caller {
    std::string participant;  // the authenticated participant id
    std::string location;     // GLN the request names as where the scan happens; may be empty
};

enum class Code {
    ok,
    unknown_product,
    unknown_serial,
    unknown_lot,
    lot_mismatch,
    expiry_mismatch,
    already_decommissioned,
    recalled,
    withdrawn,
    expired,
    stolen,
    locked,
    not_in_custody,
    not_received,
    bad_scan,
};
// The stable spelling: "OK", "UNKNOWN_PRODUCT", …, "NOT_IN_CUSTODY", "NOT_RECEIVED", "BAD_SCAN".
std::string_view to_string(Code code);

struct Product {
    std::string gtin;          // as scanned (14 digits); empty only for a BAD_SCAN without a parsed scan
    std::string serial;        // as scanned; empty only for a BAD_SCAN
    std::string lot;           // as scanned; may be empty
    std::string expiry;        // as scanned, YYYY-MM-DD; may be empty
    std::string manufacturer;  // the GTIN's owner; empty when unknown
};

// Set when the unit is decommissioned (any state but active and in_transit), genuine packs only.
struct Decommission {
    std::string state;          // "dispensed", "destroyed", "stolen", "locked", …
    std::int64_t at_ms = 0;     // the decommissioning entry's ordering time
    std::string location;       // GLN where it happened; may be empty
    std::string by;             // the participant that decommissioned it
};

struct Alert {
    Code code = Code::ok;  // the verification code that raises it
    std::string emvs;      // the EMVS hub alert it mirrors: "A2", "A3", "A24", "A52", "A68"
};

struct Verification {
    bool genuine = false;
    bool dispensable = false;
    // The unit's state ("active", "in_transit", "dispensed", …) or the overlay that decides the answer
    // ("recalled", "withdrawn", "expired"); empty when the pack is not genuine (a mismatching scan learns
    // nothing about the unit it imitates).
    std::string status;
    Code code = Code::bad_scan;
    std::string message;  // what it means and what to do, for a pharmacist
    Product product;
    std::string custodian;  // genuine packs only: the participant holding it
    std::string location;   // genuine packs only: GLN where it is; may be empty
    std::optional<Decommission> decommissioned;
    std::optional<Alert> alert;
    // Whether the scanned lot and expiry equal the commissioned ones; meaningful when the serial exists
    // (codes from LOT_MISMATCH on), false otherwise. The VRS answer needs both for its failure reason.
    bool lot_matches = false;
    bool expiry_matches = false;
    std::uint64_t ledger_size = 0;
};

// The decision above. `today` is the current UTC date, YYYY-MM-DD (precondition, asserted).
Verification verify(const gs1::Scan& scan, const VerifyFacts& facts, const Caller& caller, std::string_view today);

// The BAD_SCAN answer for input the scan parser refused: the message is the parser's hint (error.detail).
Verification bad_scan_verification(const Error& error);

}  // namespace rxl::verify
