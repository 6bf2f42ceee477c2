#include "ledger/apply/alert_body.hpp"

#include <boost/json/array.hpp>
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

// Valid UTF-8 (shortest forms, no surrogates, at most U+10FFFF) without NUL: what a PostgreSQL text
// column stores unchanged. JSON can spell a NUL (\u0000) and a lone surrogate escape, so the parser's
// own check is not enough.
bool is_storable_text(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte == 0) return false;
        if (byte < 0x80) { ++i; continue; }
        std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0;
        if (length == 0 || byte > 0xF4 || byte == 0xC0 || byte == 0xC1 || i + length > text.size()) return false;
        std::uint32_t code_point = byte & (0x7F >> length);
        for (std::size_t k = 1; k < length; ++k) {
            auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code_point = (code_point << 6) | (next & 0x3F);
        }
        constexpr std::array<std::uint32_t, 5> smallest{0, 0, 0x80, 0x800, 0x10000};
        if (code_point < smallest[length] || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return false;
        i += length;
    }
    return true;
}

// The error of a member of an object found at `prefix` ("/alerts/3"), its pointer made whole.
Error nested(Error error, const std::string& prefix) {
    error.pointer = prefix + error.pointer;
    return error;
}

Result<std::string> text_member(const json::object& object, std::string_view name, bool required, std::size_t chars_max) {
    auto text = body::string_member(object, name, required, chars_max);
    if (!text) return text.error();
    if (!is_storable_text(*text)) {
        return body::bad_body_error(fmt::format("{} must be UTF-8 text without NUL", name), body::pointer_to(name));
    }
    return text;
}

Result<std::uint64_t> count_member(const json::object& object, std::string_view name, std::uint64_t at_least) {
    auto value = body::integer_member(object, name);
    if (!value) return value.error();
    if (*value < 0 || static_cast<std::uint64_t>(*value) < at_least) {
        return body::bad_body_error(fmt::format("{} must be a whole number of at least {}", name, at_least),
                                    body::pointer_to(name));
    }
    return static_cast<std::uint64_t>(*value);
}

Status parse_code_fields(const json::object& object, AlertItem& alert) {
    auto code = text_member(object, "code", true, 32);
    if (!code) return code.error();
    if (std::find(alert_codes.begin(), alert_codes.end(), *code) == alert_codes.end()) {
        return body::bad_body_error("code " + *code + " is not an alert code", "/code");
    }
    alert.code = std::move(code).value();
    auto emvs = text_member(object, "emvs", false, limits::alert_emvs_code_chars_max);
    if (!emvs) return emvs.error();
    if (!is_ascii_letters_and_digits(*emvs)) return body::bad_body_error("emvs is letters and digits, like A24", "/emvs");
    alert.emvs = std::move(emvs).value();
    auto message = text_member(object, "message", false, limits::alert_message_chars_max);
    if (!message) return message.error();
    alert.message = std::move(message).value();
    return ok_status();
}

// What was scanned, where, when and by whom.
Status parse_scan_fields(const json::object& object, AlertItem& alert) {
    auto gtin = body::gtin_member(object, "gtin");
    if (!gtin) return gtin.error();
    auto serial = body::serial_or_lot_member(object, "serial", false);
    if (!serial) return serial.error();
    auto lot = body::serial_or_lot_member(object, "lot", false);
    if (!lot) return lot.error();
    auto expiry = text_member(object, "expiry", false, 6);
    if (!expiry) return expiry.error();
    if (!expiry->empty() && (expiry->size() != 6 || !is_ascii_digits(*expiry))) {
        return body::bad_body_error("expiry is YYMMDD as scanned, or empty", "/expiry");
    }
    auto participant = text_member(object, "participant", true, limits::participant_id_chars_max);
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

Result<AlertItem> parse_alert_object(const json::object& object) {
    AlertItem alert;
    if (auto status = parse_code_fields(object, alert); !status) return status.error();
    if (auto status = parse_scan_fields(object, alert); !status) return status.error();
    return alert;
}

constexpr std::array<std::string_view, 10> single_members{"code", "emvs", "gtin", "serial", "lot", "expiry",
                                                           "participant", "location", "verified_at_ms", "message"};
constexpr std::array<std::string_view, 7> batch_members{"version", "window_start_ms", "window_end_ms", "alerts",
                                                        "suppressed", "dropped", "unrecorded"};

// Every member of `object` is among `members`; the error names the first that is not.
template <std::size_t N>
Status check_members(const json::object& object, const std::array<std::string_view, N>& members, const std::string& prefix) {
    for (const auto& member : object) {
        if (std::find(members.begin(), members.end(), member.key()) == members.end()) {
            return body::bad_body_error(fmt::format("unknown member \"{}\"", std::string_view(member.key())),
                                        prefix + body::pointer_to(member.key()));
        }
    }
    return ok_status();
}

Result<AlertBatch> parse_single(const json::object& object) {
    if (auto status = check_members(object, single_members, ""); !status) return status.error();
    auto alert = parse_alert_object(object);
    if (!alert) return alert.error();
    AlertBatch batch;
    batch.version = 1;
    batch.alerts.push_back(std::move(alert).value());
    return batch;
}

// Members of one alert of a batch: those of version 1 and "scans".
Result<AlertItem> parse_batch_alert(const json::value& value, const std::string& prefix) {
    if (!value.is_object()) return body::bad_body_error("an alert must be a JSON object", prefix);
    const auto& object = value.as_object();
    constexpr std::array<std::string_view, 11> members{"code", "emvs", "gtin", "serial", "lot", "expiry", "participant",
                                                       "location", "verified_at_ms", "message", "scans"};
    if (auto status = check_members(object, members, prefix); !status) return status.error();
    auto alert = parse_alert_object(object);
    if (!alert) return nested(alert.error(), prefix);
    auto scans = count_member(object, "scans", 1);
    if (!scans) return nested(scans.error(), prefix);
    alert->scans = *scans;
    return alert;
}

Result<const json::array*> array_member(const json::object& object, std::string_view name) {
    const json::value* value = object.if_contains(name);
    if (value == nullptr || !value->is_array()) {
        return body::bad_body_error(fmt::format("{} must be an array", name), body::pointer_to(name));
    }
    if (value->as_array().size() > limits::alert_batch_alerts_max) {
        return body::bad_body_error(fmt::format("{} holds more than {} items", name, limits::alert_batch_alerts_max),
                                    body::pointer_to(name));
    }
    return &value->as_array();
}

Status parse_suppressed(const json::object& object, AlertBatch& batch) {
    auto list = array_member(object, "suppressed");
    if (!list) return list.error();
    for (std::size_t i = 0; i < (*list)->size(); ++i) {
        std::string prefix = fmt::format("/suppressed/{}", i);
        const json::value& value = (**list)[i];
        if (!value.is_object()) return body::bad_body_error("a suppressed count must be a JSON object", prefix);
        auto participant = text_member(value.as_object(), "participant", true, limits::participant_id_chars_max);
        if (!participant) return nested(participant.error(), prefix);
        auto alerts = count_member(value.as_object(), "alerts", 1);
        if (!alerts) return nested(alerts.error(), prefix);
        if (value.as_object().size() != 2) return body::bad_body_error("a suppressed count has participant and alerts only", prefix);
        if (!batch.suppressed.empty() && batch.suppressed.back().participant >= *participant) {
            return body::bad_body_error("suppressed counts are in increasing participant order, one per participant",
                                        prefix + "/participant");
        }
        batch.suppressed.push_back({std::move(participant).value(), *alerts});
    }
    return ok_status();
}

Status parse_window(const json::object& object, AlertBatch& batch) {
    auto start = body::integer_member(object, "window_start_ms");
    if (!start) return start.error();
    auto end = body::integer_member(object, "window_end_ms");
    if (!end) return end.error();
    if (*end < *start) return body::bad_body_error("window_end_ms is before window_start_ms", "/window_end_ms");
    batch.window_start_ms = *start;
    batch.window_end_ms = *end;
    return ok_status();
}

Result<AlertBatch> parse_batch(const json::object& object) {
    if (auto status = check_members(object, batch_members, ""); !status) return status.error();
    auto version = body::integer_member(object, "version");
    if (!version) return version.error();
    if (*version != 2) return body::bad_body_error("version must be 2", "/version");
    AlertBatch batch;
    if (auto status = parse_window(object, batch); !status) return status.error();
    auto alerts = array_member(object, "alerts");
    if (!alerts) return alerts.error();
    for (std::size_t i = 0; i < (*alerts)->size(); ++i) {
        auto alert = parse_batch_alert((**alerts)[i], fmt::format("/alerts/{}", i));
        if (!alert) return alert.error();
        batch.alerts.push_back(std::move(alert).value());
    }
    if (auto status = parse_suppressed(object, batch); !status) return status.error();
    auto dropped = count_member(object, "dropped", 0);
    if (!dropped) return dropped.error();
    auto unrecorded = count_member(object, "unrecorded", 0);
    if (!unrecorded) return unrecorded.error();
    batch.dropped = *dropped;
    batch.unrecorded = *unrecorded;
    return batch;
}

json::object alert_object(const AlertItem& alert) {
    return json::object{{"code", alert.code},
                        {"emvs", alert.emvs},
                        {"gtin", alert.gtin},
                        {"serial", alert.serial},
                        {"lot", alert.lot},
                        {"expiry", alert.expiry},
                        {"participant", alert.participant},
                        {"location", alert.location},
                        {"verified_at_ms", alert.verified_at_ms},
                        {"message", alert.message}};
}

}  // namespace

std::uint64_t AlertBatch::duplicates() const {
    std::uint64_t total = 0;
    for (const auto& alert : alerts) total += alert.scans - 1;
    return total;
}

std::uint64_t AlertBatch::suppressed_total() const {
    std::uint64_t total = 0;
    for (const auto& count : suppressed) total += count.alerts;
    return total;
}

bool AlertBatch::empty() const { return alerts.empty() && suppressed.empty() && dropped == 0 && unrecorded == 0; }

std::string alert_batch_body(const AlertBatch& batch) {
    json::array alerts;
    for (const auto& alert : batch.alerts) {
        json::object object = alert_object(alert);
        object["scans"] = alert.scans;
        alerts.push_back(std::move(object));
    }
    json::array suppressed;
    for (const auto& count : batch.suppressed) suppressed.push_back(json::object{{"participant", count.participant}, {"alerts", count.alerts}});
    return json::serialize(json::object{{"version", 2},
                                        {"window_start_ms", batch.window_start_ms},
                                        {"window_end_ms", batch.window_end_ms},
                                        {"alerts", std::move(alerts)},
                                        {"suppressed", std::move(suppressed)},
                                        {"dropped", batch.dropped},
                                        {"unrecorded", batch.unrecorded}});
}

std::string single_alert_body(const AlertItem& alert) { return json::serialize(alert_object(alert)); }

Result<AlertBatch> parse_alert_body(std::string_view body) {
    // Members of both versions pass the first check; each version then allows only its own.
    auto object = body::parse_object(body, {"code", "emvs", "gtin", "serial", "lot", "expiry", "participant", "location",
                                            "verified_at_ms", "message", "version", "window_start_ms", "window_end_ms",
                                            "alerts", "suppressed", "dropped", "unrecorded"});
    if (!object) return object.error();
    return object->contains("version") ? parse_batch(*object) : parse_single(*object);
}

}  // namespace rxl
