#include "ledger/apply/alert_rules.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "ledger/apply/json_body.hpp"
#include "ledger/core/limits.hpp"

namespace rxl {

namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 7> alert_codes{"UNKNOWN_SERIAL",  "UNKNOWN_LOT",           "LOT_MISMATCH",
                                                      "EXPIRY_MISMATCH", "ALREADY_DECOMMISSIONED", "STOLEN",
                                                      "LOCKED"};

bool is_ascii_digits(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_ascii_letters_and_digits(const std::string& text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
}

Status parse_code_fields(const json::object& object, AlertRow& alert) {
    auto code = body::string_member(object, "code", true, 32);
    if (!code) return code.error();
    if (std::find(alert_codes.begin(), alert_codes.end(), *code) == alert_codes.end()) {
        return body::bad_body_error("code " + *code + " is not an alert code", "/code");
    }
    alert.code = std::move(code).value();
    auto emvs = body::string_member(object, "emvs", false, limits::alert_emvs_code_chars_max);
    if (!emvs) return emvs.error();
    if (!is_ascii_letters_and_digits(*emvs)) return body::bad_body_error("emvs is letters and digits, like A24", "/emvs");
    alert.emvs = std::move(emvs).value();
    auto message = body::string_member(object, "message", false, limits::alert_message_chars_max);
    if (!message) return message.error();
    alert.message = std::move(message).value();
    return ok_status();
}

// What was scanned, where, when and by whom.
Status parse_scan_fields(const json::object& object, AlertRow& alert) {
    auto gtin = body::gtin_member(object, "gtin");
    if (!gtin) return gtin.error();
    auto serial = body::serial_or_lot_member(object, "serial", false);
    if (!serial) return serial.error();
    auto lot = body::serial_or_lot_member(object, "lot", false);
    if (!lot) return lot.error();
    auto expiry = body::string_member(object, "expiry", false, 6);
    if (!expiry) return expiry.error();
    if (!expiry->empty() && (expiry->size() != 6 || !is_ascii_digits(*expiry))) {
        return body::bad_body_error("expiry is YYMMDD as scanned, or empty", "/expiry");
    }
    auto participant = body::string_member(object, "participant", true, limits::participant_id_chars_max);
    if (!participant) return participant.error();
    auto location = body::gln_member(object, "location", false);
    if (!location) return location.error();
    auto verified_at_ms = body::integer_member(object, "verified_at_ms");
    if (!verified_at_ms) return verified_at_ms.error();
    alert.gtin = std::move(gtin).value();
    alert.serial = std::move(serial).value();
    alert.lot = std::move(lot).value();
    alert.expiry = std::move(expiry).value();
    alert.participant = std::move(participant).value();
    alert.location = std::move(location).value();
    alert.verified_at_ms = *verified_at_ms;
    return ok_status();
}

Result<AlertRow> parse_alert(std::string_view text) {
    auto object = body::parse_object(text, {"code", "emvs", "gtin", "serial", "lot", "expiry", "participant",
                                            "location", "verified_at_ms", "message"});
    if (!object) return object.error();
    AlertRow alert;
    if (auto status = parse_code_fields(*object, alert); !status) return status.error();
    if (auto status = parse_scan_fields(*object, alert); !status) return status.error();
    return alert;
}

}  // namespace

Result<EntryOutcome> apply_alert(std::string_view body, const AlertContext& context, WorkingState& state) {
    auto alert = parse_alert(body);
    if (!alert) return alert.error();
    if (context.registry.find(alert->participant) == nullptr) {
        return make_error(ErrorKind::rule_violation, "unknown-participant",
                          "participant " + alert->participant + " is not registered", "/participant");
    }
    alert->seq = context.seq;
    alert->node = context.node.id;
    alert->ordered_at_ms = context.ordered_at_ms;
    EntryOutcome outcome;
    outcome.detail_json = json::serialize(json::object{{"alert_id", alert->seq}});
    state.add_alert(std::move(alert).value());
    return outcome;
}

}  // namespace rxl
