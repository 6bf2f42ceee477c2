#include "ledger/verify/verify.hpp"

#include <fmt/format.h>

#include <utility>

#include "ledger/core/assert.hpp"
#include "ledger/core/time.hpp"

namespace rxl::verify {
namespace {

constexpr std::pair<Code, std::string_view> code_names[] = {
    {Code::ok, "OK"},
    {Code::unknown_product, "UNKNOWN_PRODUCT"},
    {Code::unknown_serial, "UNKNOWN_SERIAL"},
    {Code::unknown_lot, "UNKNOWN_LOT"},
    {Code::lot_mismatch, "LOT_MISMATCH"},
    {Code::expiry_mismatch, "EXPIRY_MISMATCH"},
    {Code::already_decommissioned, "ALREADY_DECOMMISSIONED"},
    {Code::recalled, "RECALLED"},
    {Code::withdrawn, "WITHDRAWN"},
    {Code::expired, "EXPIRED"},
    {Code::stolen, "STOLEN"},
    {Code::locked, "LOCKED"},
    {Code::not_in_custody, "NOT_IN_CUSTODY"},
    {Code::not_received, "NOT_RECEIVED"},
    {Code::bad_scan, "BAD_SCAN"},
};

// What a falsification alert asks of the pharmacist, appended to the messages of codes that raise one.
constexpr std::string_view alert_raised = " The manufacturer and the regulator have been alerted.";

bool is_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) return false;
    }
    return true;
}

std::string place_text(const std::string& location) {
    return location.empty() ? std::string("at an unrecorded location") : "at location " + location;
}

// The answer before any decision: the product as scanned, the GTIN's owner, the ledger size.
Verification scanned(const gs1::Scan& scan, const VerifyFacts& facts) {
    Verification answer;
    answer.product = {scan.gtin, scan.serial, scan.lot, scan.expiry_date, facts.manufacturer};
    if (answer.product.manufacturer.empty() && facts.unit) answer.product.manufacturer = facts.unit->owner;
    answer.ledger_size = facts.ledger_size;
    return answer;
}

Verification decided(Verification answer, Code code, std::string message, std::string_view emvs = {}) {
    answer.code = code;
    answer.message = std::move(message);
    if (!emvs.empty()) answer.alert = Alert{code, std::string(emvs)};
    return answer;
}

// Codes 1 to 6 of the precedence (verify.hpp): the scan is incomplete or does not match a commissioned
// unit. Nothing when the pack is genuine.
std::optional<Verification> identity_failure(const gs1::Scan& scan, const VerifyFacts& facts) {
    Verification answer = scanned(scan, facts);
    const std::string& gtin = scan.gtin;
    if (!facts.gtin_known) {
        return decided(std::move(answer), Code::unknown_product,
                       fmt::format("No pack with GTIN {} was ever commissioned on this ledger, so it cannot be "
                                   "verified here. Check the product through its own verification system before "
                                   "dispensing it.",
                                   gtin));
    }
    if (scan.serial.empty() || scan.lot.empty() || scan.expiry.empty()) {
        return decided(std::move(answer), Code::bad_scan,
                       "The scan lacks the serial number, lot or expiry date: verification needs all four "
                       "elements of the pack's 2D code. Scan the DataMatrix code (not the linear barcode), or enter "
                       "every field printed on the pack.");
    }
    if (!facts.unit && !facts.scanned_lot_known) {
        return decided(std::move(answer), Code::unknown_lot,
                       fmt::format("Lot {} was never commissioned for GTIN {}. Compare the scanned lot with the one "
                                   "printed on the pack: if they match, the pack may be falsified. Do not dispense "
                                   "it; set it aside.{}",
                                   scan.lot, gtin, alert_raised),
                       "A2");
    }
    if (!facts.unit) {
        return decided(std::move(answer), Code::unknown_serial,
                       fmt::format("The manufacturer never commissioned serial number {} for GTIN {}. Compare the "
                                   "scanned serial with the one printed on the pack: if they match, the pack may be "
                                   "falsified. Do not dispense it; set it aside.{}",
                                   scan.serial, gtin, alert_raised),
                       "A3");
    }
    const UnitState& unit = *facts.unit;
    answer.lot_matches = unit.lot == scan.lot;
    answer.expiry_matches = unit.expiry == scan.expiry_date;
    if (!answer.lot_matches) {
        return decided(std::move(answer), Code::lot_mismatch,
                       fmt::format("Serial number {} exists, but in lot {}, not in the scanned lot {}. Compare the "
                                   "scan with the lot printed on the pack: if they match, the pack may be falsified. "
                                   "Do not dispense it; set it aside.{}",
                                   scan.serial, unit.lot, scan.lot, alert_raised),
                       "A68");
    }
    if (!answer.expiry_matches) {
        return decided(std::move(answer), Code::expiry_mismatch,
                       fmt::format("Serial number {} of lot {} exists, but with expiry date {}, not the scanned {}. "
                                   "Compare the scan with the date printed on the pack: if they match, the pack may "
                                   "be falsified. Do not dispense it; set it aside.{}",
                                   scan.serial, scan.lot, unit.expiry, scan.expiry_date, alert_raised),
                       "A52");
    }
    return std::nullopt;
}

// True when the caller scans where the pack was decommissioned (see "Somewhere other" in verify.hpp).
bool scanned_where_decommissioned(const UnitState& unit, const Caller& caller) {
    if (!caller.location.empty() && !unit.decommissioned_location.empty()) {
        return caller.location == unit.decommissioned_location;
    }
    return caller.participant == unit.decommissioned_by;
}

std::string_view decommission_verb(UnitStatus status) {
    switch (status) {
        case UnitStatus::dispensed: return "dispensed";
        case UnitStatus::destroyed: return "destroyed";
        case UnitStatus::exported: return "exported";
        case UnitStatus::sample: return "taken as a sample";
        case UnitStatus::free_sample: return "given away as a free sample";
        case UnitStatus::checked_out: return "checked out of the verification system";
        case UnitStatus::stolen: return "reported stolen";
        case UnitStatus::locked: return "locked";
        case UnitStatus::active:
        case UnitStatus::in_transit: break;
    }
    RXL_ASSERT_MSG(false, "a unit that is not decommissioned has no decommission verb");
    return {};
}

// Codes 7 to 9: the pack itself left the supply chain.
Verification decommissioned_answer(Verification answer, const UnitState& unit, const Caller& caller) {
    const std::string when = utc_minute_text(unit.decommissioned_at_ms);
    const std::string where = place_text(unit.decommissioned_location);
    if (unit.status == UnitStatus::stolen) {
        return decided(std::move(answer), Code::stolen,
                       fmt::format("This pack was reported stolen on {} {} by {}. Do not dispense it: keep it apart "
                                   "and safe, and tell the manufacturer and your regulator how it reached you.{}",
                                   when, where, unit.decommissioned_by, alert_raised),
                       "A24");
    }
    if (unit.status == UnitStatus::locked) {
        return decided(std::move(answer), Code::locked,
                       fmt::format("This pack was locked as suspect on {} {} by {} while it is investigated. Do not "
                                   "dispense it; set it aside until the investigation releases it.{}",
                                   when, where, unit.decommissioned_by, alert_raised),
                       "A24");
    }
    const bool same_place = scanned_where_decommissioned(unit, caller);
    std::string message = fmt::format("This pack was already {} on {} {} by {}. Do not dispense it: a pack that left "
                                      "the supply chain must not return to it.",
                                      decommission_verb(unit.status), when, where, unit.decommissioned_by);
    if (!same_place) {
        message += fmt::format(" Set it aside and report where it came from.{}", alert_raised);
        return decided(std::move(answer), Code::already_decommissioned, std::move(message), "A24");
    }
    if (unit.status != UnitStatus::destroyed) {
        message += " If that was a mistake here, undo it (possible within 10 days, at the same location).";
    }
    return decided(std::move(answer), Code::already_decommissioned, std::move(message));
}

// Codes 10 to 15: the pack is still in the supply chain.
Verification saleable_answer(Verification answer, const VerifyFacts& facts, const Caller& caller,
                             std::string_view today) {
    const UnitState& unit = *facts.unit;
    if (facts.lot_recall) {
        answer.status = "recalled";
        const RecallMark& recall = *facts.lot_recall;
        const std::string class_text = recall.recall_class.empty() ? "" : " (class " + recall.recall_class + ")";
        return decided(std::move(answer), Code::recalled,
                       fmt::format("Lot {} of this product was recalled{} on {}. Do not dispense it: quarantine it "
                                   "and return it as the recall notice instructs.",
                                   unit.lot, class_text, utc_date_text(recall.at_ms)));
    }
    if (facts.withdrawal) {
        answer.status = "withdrawn";
        return decided(std::move(answer), Code::withdrawn,
                       fmt::format("This product (GTIN {}) was withdrawn from the market on {}. Do not dispense it; "
                                   "return it to your supplier.",
                                   unit.key.gtin, utc_date_text(facts.withdrawal->at_ms)));
    }
    if (unit.expiry < today) {
        answer.status = "expired";
        return decided(std::move(answer), Code::expired,
                       fmt::format("This pack expired on {}. Do not dispense it; dispose of it as expired stock.",
                                   unit.expiry));
    }
    const bool held = unit.status == UnitStatus::active && unit.custodian == caller.participant;
    const bool shipped_to_caller = unit.status == UnitStatus::in_transit && unit.destination == caller.participant;
    if (shipped_to_caller) {
        // Dispensing needs custody (ledger/apply/pack_rules.cpp), which moves to the caller only with its
        // receipt: telling it to dispense now would be answered by a refusal.
        return decided(std::move(answer), Code::not_received,
                       fmt::format("This pack is genuine and was shipped to you by {}, but its receipt is not recorded "
                                   "yet. Record the receipt of the delivery, then scan the pack again before "
                                   "dispensing it.",
                                   unit.custodian));
    }
    if (!held) {
        return decided(std::move(answer), Code::not_in_custody,
                       fmt::format("This pack is genuine, but the ledger shows it {} {}, not with you. Do not "
                                   "dispense it until its delivery to you is recorded: ask your supplier to record "
                                   "the shipment.",
                                   unit.status == UnitStatus::in_transit ? "in transit from" : "held by",
                                   unit.custodian));
    }
    answer.dispensable = true;
    return decided(std::move(answer), Code::ok, "This pack is genuine and in your custody: you may dispense it.");
}

}  // namespace

std::string_view to_string(Code code) {
    for (const auto& [value, name] : code_names) {
        if (value == code) return name;
    }
    RXL_ASSERT_MSG(false, "unknown verification code");
    return {};
}

Verification verify(const gs1::Scan& scan, const VerifyFacts& facts, const Caller& caller, std::string_view today) {
    RXL_ASSERT_MSG(is_date(today), "today must be YYYY-MM-DD");
    if (auto failure = identity_failure(scan, facts)) return std::move(*failure);

    const UnitState& unit = *facts.unit;
    Verification answer = scanned(scan, facts);
    answer.genuine = true;
    answer.lot_matches = true;
    answer.expiry_matches = true;
    answer.status = std::string(to_string(unit.status));
    answer.custodian = unit.custodian;
    answer.location = unit.location;
    if (is_decommissioned(unit.status)) {
        answer.decommissioned = Decommission{answer.status, unit.decommissioned_at_ms, unit.decommissioned_location,
                                             unit.decommissioned_by};
        return decommissioned_answer(std::move(answer), unit, caller);
    }
    return saleable_answer(std::move(answer), facts, caller, today);
}

Verification bad_scan_verification(const Error& error) {
    Verification answer;
    answer.code = Code::bad_scan;
    answer.message = error.detail;
    return answer;
}

}  // namespace rxl::verify
