// What a pharmacy scanner sends, turned into GS1 Application Identifier (AI) values and a Scan.
//
// Pure functions, no I/O. Accepted inputs (parse_scan):
//   - scanner output with a symbology identifier: ]d2 (GS1 DataMatrix), ]Q3 (GS1 QR), ]J1 (GS1 DotCode),
//     ]C1 (GS1-128), ]e0 (GS1 DataBar), ]E0 / ]E4 (EAN-13 / EAN-8), and ]d1 / ]Q1 / ]J0 carrying a GS1
//     Digital Link URI; ASCII GS (0x1D) is FNC1;
//   - the same GS1 data without a symbology identifier (keyboard-wedge scanners often drop it);
//   - the raw notation "^01…" with ^ as FNC1, a bracketed element string "(01)…(17)…(10)…(21)…",
//     or a GS1 Digital Link URI (path 01 [22] [10] [21], other AIs such as 17 in the query).
// Every AI is checked against the AI table: fixed and variable lengths, character sets (numeric, CSET 82,
// CSET 39, CSET 64), check digits, dates (YYMMDD; day 00 means the end of the month where GS1 allows it).
// Not checked: which AIs must or must not appear together (the "req"/"ex" rules), ISO 3166 / ISO 4217
// membership of country and currency codes, IBANs and coupon contents.
//
// Every failure is an Error with code "bad-scan" (kind invalid_input) whose detail is a sentence a
// pharmacist can act on: a scanning problem, never a falsification alert.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ledger/core/result.hpp"

namespace rxl::gs1 {

// One GS1 element string: an AI and its value (never containing FNC1).
struct AiValue {
    std::string ai;
    std::string value;
    bool operator==(const AiValue&) const = default;
};
using AiValues = std::vector<AiValue>;

// True if the AI is in our AI table.
bool is_known_ai(std::string_view ai);

// Checks one value against its AI's format (length, characters, check digit, date, …).
Status check_ai_value(std::string_view ai, std::string_view value);

// "(01)09506000134352(17)201225(10)ABC": a bracketed element string; "\(" is a bracket inside a value.
Result<AiValues> parse_bracketed(std::string_view text);

// "^01095060001343521720122510ABC^21X": GS1 data that begins with FNC1, written ^ (or ASCII GS),
// FNC1 again after each variable-length value that is not last.
Result<AiValues> parse_gs1_data(std::string_view text);

// A GS1 Digital Link URI: AIs of the path (primary key and its qualifiers, in path order) then the AIs of
// the query. GTIN-8/12/13 in AI 01 are left-padded to 14 digits. Non-numeric query keys are ignored.
Result<AiValues> parse_digital_link_uri(std::string_view uri);

// The normalised element string: ^ (FNC1) first and after every value whose AI has no predefined length,
// except the last, e.g. "^01095060001343521720122510ABC^21X".
std::string to_element_string(const AiValues& values);

// Scanner output split by its symbology identifier (]d2, ]Q1, ]E0, …) and decoded.
struct ScanData {
    std::string symbology;  // "DM", "QR", "DotCode", "GS1_128_CCA", "DataBarExpanded", "EAN13", "EAN8"
    bool gs1 = false;       // the symbol carries GS1 element strings (or an EAN/UPC with a composite)
    AiValues ais;           // the GS1 data (for EAN: AI 01 with the padded GTIN, then the composite's AIs)
    std::string text;       // GS1 data as element string; plain data with \ and ^ escaped; "linear|composite"
};
// Requires a symbology identifier. A plain symbol (]d1, ]Q1, ]J0) may carry any text; when that text is
// an http(s) URI it must be a valid GS1 Digital Link.
Result<ScanData> decode_scan_data(std::string_view scanner_output);

// What the pharmacy verification needs from one scan of a pack.
struct Scan {
    std::string gtin;              // AI 01, 14 digits, check digit valid
    std::string serial;            // AI 21, empty when absent
    std::string lot;               // AI 10, empty when absent
    std::string expiry;            // AI 17 as scanned, YYMMDD, empty when absent
    std::string expiry_date;       // the same as YYYY-MM-DD (20YY; day 00 → last day of the month)
    AiValues other;                // every other AI, in scan order
    std::string element_string;    // normalised, ^ for FNC1
    bool operator==(const Scan&) const = default;
};

// Parses any accepted input form (see the top of this file) into a Scan. Refuses, with code "bad-scan"
// and a hint: invalid GS1 data; data without a GTIN; keyboard-layout damage (a symbology identifier
// typed as +d2 or ]D2, letters of a German or French layout, Caps Lock); and a lot or serial that
// appears to have swallowed the next AI because a GS separator was lost (see suspicious_swallow below).
Result<Scan> parse_scan(std::string_view input);

// Separate fields as typed by a person: GTIN (8, 12, 13 or 14 digits), serial, lot, expiry (YYMMDD);
// only the GTIN is required. Checked like a scan.
struct ScanFields {
    std::string gtin;
    std::string serial;
    std::string lot;
    std::string expiry;
};
Result<Scan> scan_from_fields(const ScanFields& fields);

// The missing-GS heuristic, exposed for tests. A scanner that loses a GS glues the next element string
// onto a variable-length value: "10LOT1" GS "21SER9" arrives as lot "LOT121SER9" and no serial. We call a
// variable-length value suspicious when, after its first character, it contains the code of one of the
// pack AIs 01, 10, 17, 21 that the scan otherwise lacks, and everything from there to the end of the value
// is itself valid GS1 data (so "17" must be followed by a valid date, "01" by a GTIN with a good check
// digit). Packs carry each of these AIs once and EU/US packs carry all four, so a complete, correct scan
// never trips it; a scan missing one of them whose code sits inside another value very likely lost a GS.
// Returns a hint naming the value and the AI it seems to hide, or an empty string.
std::string suspicious_swallow(const AiValues& values);

}  // namespace rxl::gs1
