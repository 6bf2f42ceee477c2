// The body of a submission of kind "alert": its one definition, written by the node that raises alerts
// (ledger/service/alert_raiser.hpp) and read by apply (alert_rules.hpp). It is signed and kept on the
// ledger byte for byte, so its grammar can never change silently; docs/alerts.md describes it too.
//
// Version 2, the alert batch: one entry per window of alerts a node collected (DESIGN.md section 10,
// rule 3), every member required unless said:
//
//   {"version": 2, "window_start_ms": int64, "window_end_ms": int64 (>= window_start_ms),
//    "alerts": [alert, …] (0 to limits::alert_batch_alerts_max),
//    "suppressed": [{"participant": id, "alerts": int >= 1}, …] (participants in strictly increasing
//                  order, at most limits::alert_batch_alerts_max),
//    "dropped": int >= 0, "unrecorded": int >= 0}
//   alert = {"code": code, "emvs": EMVS hub code or "", "gtin": GTIN-14, "serial": serial or "",
//            "lot": lot or "", "expiry": "YYMMDD" or "", "participant": participant id (who scanned),
//            "location": GLN-13 or "", "verified_at_ms": int64, "message": text (may be ""),
//            "scans": int >= 1}
//
// - an alert is what one scan that called for it held (the first such scan of the window); "scans" is
//   how many scans of the same unit (gtin, serial), code and participant the window folded into it;
// - "suppressed": distinct alerts of a participant past its per-window limit, counted, not carried;
// - "dropped": distinct alerts the window had no room for (it was full), counted, not carried;
// - "unrecorded": alerts of this node's earlier batches that did not reach the ledger (a refused or
//   timed-out submission), so that none is lost without a count on the ledger.
//
// Version 1, one alert (the body of alert entries written before batches, still accepted so that those
// entries replay): an alert object as above without "scans" (it counts 1) and without "version".
//
// In an alert, "emvs" is 0 to limits::alert_emvs_code_chars_max letters and digits, "message" at most
// limits::alert_message_chars_max characters; "emvs", "serial", "lot", "expiry", "location" and
// "message" may be absent, meaning "". Every text is valid UTF-8 without NUL. No other member is allowed.
// A body that breaks any of this is refused as a whole with "bad-body" (json_body.hpp), its pointer
// naming the member ("/alerts/3/message").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/core/result.hpp"

namespace rxl {

// One alert as a node raises it.
struct AlertItem {
    std::string code;         // UNKNOWN_SERIAL, UNKNOWN_LOT, …
    std::string emvs;         // the EMVS hub code it mirrors ("A3"), or empty
    std::string gtin;
    std::string serial;
    std::string lot;
    std::string expiry;       // YYMMDD as scanned, or empty
    std::string participant;  // who scanned
    std::string location;     // GLN, or empty
    std::int64_t verified_at_ms = 0;
    std::string message;
    std::uint64_t scans = 1;  // scans of the same unit, code and participant folded into this alert

    bool operator==(const AlertItem&) const = default;
};

struct SuppressedAlerts {
    std::string participant;
    std::uint64_t alerts = 0;

    bool operator==(const SuppressedAlerts&) const = default;
};

// A parsed alert body of either version; a version-1 body is a batch of one alert with no window.
struct AlertBatch {
    int version = 2;
    std::int64_t window_start_ms = 0;
    std::int64_t window_end_ms = 0;
    std::vector<AlertItem> alerts;
    std::vector<SuppressedAlerts> suppressed;  // strictly increasing participant order
    std::uint64_t dropped = 0;
    std::uint64_t unrecorded = 0;

    bool operator==(const AlertBatch&) const = default;
    // Scans folded into alerts they repeated: the sum of (scans - 1).
    std::uint64_t duplicates() const;
    std::uint64_t suppressed_total() const;
    // True when the batch has nothing to say: no alert and every count zero.
    bool empty() const;
};

// The version-2 body of `batch` (its version member is ignored). Precondition: `batch` is valid by the
// grammar above; parse_alert_body(alert_batch_body(b)) == b.
std::string alert_batch_body(const AlertBatch& batch);

// The version-1 body of one alert (what nodes signed before batches; kept for tests and tools).
std::string single_alert_body(const AlertItem& alert);

// Reads a body of either version; error "bad-body" (invalid_input) naming the member otherwise.
Result<AlertBatch> parse_alert_body(std::string_view body);

}  // namespace rxl
