// Builders for the verification tests: one pack (GTIN, serial S1, lot L1, expiry 2027-05-31) commissioned
// by acme and held by pharmacy A, the facts a store would report about it, and the two pharmacies that scan.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "ledger/apply/state.hpp"
#include "ledger/gs1/barcode.hpp"
#include "ledger/gs1/identifiers.hpp"
#include "ledger/verify/verify.hpp"

namespace rxl::test {

inline constexpr std::string_view pack_gtin = "09506000134352";  // the GS1 example GTIN, check digit valid
inline constexpr std::string_view today = "2026-01-15";
inline constexpr std::int64_t march_first_2025_1402_ms = 1'740'837'723'123;  // 2025-03-01T14:02:03.123Z

inline std::string gln(std::string twelve_digits) {
    twelve_digits.push_back(gs1::check_digit(twelve_digits));
    return twelve_digits;
}
inline const std::string gln_pharmacy_a = gln("409876500001");
inline const std::string gln_pharmacy_b = gln("409876500002");

inline const verify::Caller pharmacy_a{"pharmacy-a", gln_pharmacy_a};
inline const verify::Caller pharmacy_b{"pharmacy-b", gln_pharmacy_b};

// A scan of the pack as typed fields (parsed by the real GS1 code); expiry is YYMMDD.
inline gs1::Scan pack_scan(std::string serial = "S1", std::string lot = "L1", std::string expiry = "270531") {
    auto scan = gs1::scan_from_fields({std::string(pack_gtin), std::move(serial), std::move(lot), std::move(expiry)});
    REQUIRE_MESSAGE(scan.ok(), (scan.ok() ? "" : scan.error().detail));
    return *scan;
}

// The pack, active in pharmacy A's custody.
inline UnitState pack_unit() {
    UnitState unit;
    unit.key = {std::string(pack_gtin), "S1"};
    unit.lot = "L1";
    unit.expiry = "2027-05-31";
    unit.status = UnitStatus::active;
    unit.owner = "acme";
    unit.custodian = "pharmacy-a";
    unit.location = gln_pharmacy_a;
    return unit;
}

// The pack after `by` decommissioned it into `status` at `location`, on 2025-03-01 at 14:02:03.123 UTC.
inline UnitState decommissioned_unit(UnitStatus status, std::string by = "pharmacy-a",
                                     std::string location = gln_pharmacy_a) {
    UnitState unit = pack_unit();
    unit.status = status;
    unit.custodian = by;
    unit.decommissioned_at_ms = march_first_2025_1402_ms;
    unit.decommissioned_location = std::move(location);
    unit.decommissioned_by = std::move(by);
    return unit;
}

// What the store says when it holds `unit` (GTIN and lot known, no recall, no withdrawal).
inline verify::VerifyFacts facts_with(UnitState unit) {
    verify::VerifyFacts facts;
    facts.gtin_known = true;
    facts.manufacturer = "acme";
    facts.unit = std::move(unit);
    facts.scanned_lot_known = true;
    facts.ledger_size = 42;
    return facts;
}

inline verify::VerifyFacts genuine_facts() { return facts_with(pack_unit()); }

// The store knows the GTIN but no unit with the scanned serial.
inline verify::VerifyFacts facts_without_unit(bool lot_known) {
    verify::VerifyFacts facts = genuine_facts();
    facts.unit.reset();
    facts.scanned_lot_known = lot_known;
    return facts;
}

inline verify::RecallMark class_one_recall() { return {77, "I", march_first_2025_1402_ms}; }

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace rxl::test
