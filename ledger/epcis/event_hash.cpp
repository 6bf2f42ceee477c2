#include "ledger/epcis/event_hash.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

#include <boost/json/array.hpp>

#include "ledger/core/bytes.hpp"
#include "ledger/crypto/sha256.hpp"
#include "ledger/epcis/digital_link.hpp"
#include "ledger/epcis/timestamp.hpp"
#include "ledger/epcis/vocabulary.hpp"

namespace rxl::epcis {
namespace {

namespace json = boost::json;

// One field of the canonical order. A list field either names its members (epcList → "epc") or, when
// `anonymous_members` is set, writes each member's fields straight after the list name
// (bizTransactionList); an object field writes its own ordered children, then its extensions.
struct FieldSpec {
    std::string_view name;
    std::string_view member_name = {};
    std::vector<FieldSpec> children = {};
    std::optional<Vocabulary> vocabulary = std::nullopt;
    bool anonymous_members = false;
};

std::vector<FieldSpec> quantity_fields() { return {{"epcClass"}, {"quantity"}, {"uom"}}; }
FieldSpec typed_list(std::string_view list, std::string_view value_name, Vocabulary type_vocabulary) {
    return {list, {}, {{"type", {}, {}, type_vocabulary}, {value_name}}, std::nullopt, true};
}
FieldSpec sensor_element_list() {
    std::vector<FieldSpec> metadata{{"time"},    {"startTime"},           {"endTime"}, {"deviceID"},
                                    {"deviceMetadata"}, {"rawData"}, {"dataProcessingMethod"}, {"bizRules"}};
    std::vector<FieldSpec> report{{"type", {}, {}, Vocabulary::measurement_type},
                                  {"exception", {}, {}, Vocabulary::sensor_alert},
                                  {"deviceID"}, {"deviceMetadata"}, {"rawData"}, {"dataProcessingMethod"}, {"time"},
                                  {"microorganism"}, {"chemicalSubstance"}, {"value"},
                                  {"component", {}, {}, Vocabulary::component},
                                  {"stringValue"}, {"booleanValue"}, {"hexBinaryValue"}, {"uriValue"}, {"minValue"},
                                  {"maxValue"}, {"meanValue"}, {"sDev"}, {"percRank"}, {"percValue"}, {"uom"},
                                  {"coordinateReferenceSystem"}};
    return {"sensorElementList", "sensorElement", {{"sensorMetadata", {}, metadata}, {"sensorReport", {}, report}}};
}

// The canonical order of the standard event fields (the reference implementation's PROP_ORDER).
const std::vector<FieldSpec>& event_fields() {
    static const std::vector<FieldSpec> fields{
        {"eventTime"},
        {"eventTimeZoneOffset"},
        {"certificationInfo"},
        {"parentID"},
        {"epcList", "epc"},
        {"inputEPCList", "epc"},
        {"childEPCs", "epc"},
        {"quantityList", "quantityElement", quantity_fields()},
        {"childQuantityList", "quantityElement", quantity_fields()},
        {"inputQuantityList", "quantityElement", quantity_fields()},
        {"outputEPCList", "epc"},
        {"outputQuantityList", "quantityElement", quantity_fields()},
        {"action"},
        {"transformationID"},
        {"bizStep", {}, {}, Vocabulary::biz_step},
        {"disposition", {}, {}, Vocabulary::disposition},
        {"persistentDisposition", {}, {{"set", {}, {}, Vocabulary::disposition}, {"unset", {}, {}, Vocabulary::disposition}}},
        {"readPoint", {}, {{"id"}}},
        {"bizLocation", {}, {{"id"}}},
        sensor_element_list(),
    };
    return fields;
}

// The reference implementation (and so every published vector) writes these three lists not in the
// canonical order but in the sorted block of remaining fields, after sensorElementList, each member
// still "type=" first.
const std::vector<FieldSpec>& trailing_fields() {
    static const std::vector<FieldSpec> fields{
        typed_list("bizTransactionList", "bizTransaction", Vocabulary::biz_transaction_type),
        typed_list("sourceList", "source", Vocabulary::source_destination_type),
        typed_list("destinationList", "destination", Vocabulary::source_destination_type),
    };
    return fields;
}

// Keys never hashed at any depth (JSON-LD comments), and at the event's top level.
bool is_comment_key(std::string_view key) { return key == "rdfs:comment" || key == "comment" || key == "#text"; }
bool is_unhashed_event_key(std::string_view key) {
    return key == "type" || key == "eventID" || key == "recordTime" || key == "errorDeclaration" || key == "@context";
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string join_sorted(std::vector<std::string> parts) {
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const auto& part : parts) out += part;
    return out;
}

// Python's repr of a float: shortest round-trip digits, fixed notation for 1e-4 ≤ |x| < 1e16.
std::string float_repr(double value) {
    std::array<char, 64> buffer{};
    const auto scientific = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                          std::chars_format::scientific);
    const std::string text(buffer.data(), scientific.ptr);
    const std::size_t e = text.find('e');
    const int exponent = std::stoi(text.substr(e + 1));
    if (exponent < -4 || exponent >= 16) return text;
    const auto fixed = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
    return std::string(buffer.data(), fixed.ptr);
}

// Parses the decimal forms Python's float() accepts that matter here: sign, digits, point, exponent.
std::optional<double> parse_decimal(std::string_view text) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    if (text.empty() || text.front() == '+') return std::nullopt;
    double value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

std::string format_number(double value) {
    if (value == 0) return "0";
    if (std::trunc(value) == value) {
        std::array<char, 400> buffer{};
        const auto integral = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                            std::chars_format::fixed, 0);
        return std::string(buffer.data(), integral.ptr);
    }
    return float_repr(value);
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

}  // namespace

std::string canonical_hash_value(std::string_view text) {
    std::string value(text);
    value = replace_all(value, "urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-");
    value = replace_all(value, "urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-");
    value = replace_all(value, "urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-");
    value = replace_all(value, "urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-");
    value = replace_all(value, "urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-");
    if (const auto number = parse_decimal(value)) value = format_number(*number);
    if (auto link = hash_digital_link(value)) return std::move(*link);
    return value;
}

namespace {

class PreHashWriter {
public:
    explicit PreHashWriter(const Namespaces& namespaces) : namespaces_(namespaces) {}

    std::string event(const json::object& event) const {
        std::string out = "eventType=";
        if (const auto* type = event.if_contains("type"); type && type->is_string()) out += type->get_string();
        out += ordered(event_fields(), event);
        std::vector<std::string> remaining;
        for (const FieldSpec& field : trailing_fields()) {
            const auto* value = event.if_contains(field.name);
            if (value == nullptr) continue;
            if (std::string written = this->field(field, *value); !written.empty()) remaining.push_back(std::move(written));
        }
        for (const auto& [key, value] : event) {
            if (is_unhashed_event_key(key) || is_comment_key(key) || is_standard(event_fields(), key) ||
                is_standard(trailing_fields(), key))
                continue;
            generic(namespaces_.expand_key(key, true), value, remaining);
        }
        return out + join_sorted(std::move(remaining));
    }

private:
    static bool is_standard(const std::vector<FieldSpec>& fields, std::string_view key) {
        return std::any_of(fields.begin(), fields.end(), [&](const FieldSpec& field) { return field.name == key; });
    }

    std::string ordered(const std::vector<FieldSpec>& fields, const json::object& object) const {
        std::string out;
        for (const FieldSpec& field : fields)
            if (const auto* value = object.if_contains(field.name)) out += this->field(field, *value);
        return out;
    }

    // The fields of an object that the canonical order does not name, written generically and sorted.
    std::string extensions(const std::vector<FieldSpec>& fields, const json::object& object) const {
        std::vector<std::string> parts;
        for (const auto& [key, value] : object) {
            if (is_comment_key(key) || is_standard(fields, key)) continue;
            generic(namespaces_.expand_key(key, true), value, parts);
        }
        return join_sorted(std::move(parts));
    }

    std::string field(const FieldSpec& spec, const json::value& value) const {
        const auto* array = value.if_array();
        if (array == nullptr) return node(spec.name, spec, value);
        std::vector<std::string> members;
        for (const auto& member : *array) {
            if (spec.anonymous_members) {
                if (const auto* object = member.if_object())
                    members.push_back(ordered(spec.children, *object) + extensions(spec.children, *object));
            } else {
                members.push_back(node(spec.member_name.empty() ? spec.name : spec.member_name, spec, member));
            }
        }
        const std::string joined = join_sorted(std::move(members));
        if (joined.empty()) return {};
        return spec.member_name.empty() && !spec.anonymous_members ? joined : std::string(spec.name) + joined;
    }

    std::string node(std::string_view name, const FieldSpec& spec, const json::value& value) const {
        if (const auto* object = value.if_object()) {
            const std::string inner = ordered(spec.children, *object) + extensions(spec.children, *object);
            return inner.empty() ? std::string() : std::string(name) + inner;
        }
        const std::string text = scalar(name, spec.vocabulary, value);
        return text.empty() ? std::string() : std::string(name) + "=" + text;
    }

    // A standard field's scalar: timestamps normalised, vocabulary words expanded, then canonical.
    std::string scalar(std::string_view name, std::optional<Vocabulary> vocabulary, const json::value& value) const {
        const std::string raw = scalar_text(value);
        const std::string_view text = trim(raw);
        if (text.empty()) return {};
        if (is_time_name(name)) {
            if (const auto timestamp = parse_timestamp(text)) return to_hash_time(*timestamp);
            return std::string(text);
        }
        std::string expanded = vocabulary ? expand_bare_word(*vocabulary, text) : std::string(text);
        return canonical_hash_value(namespaces_.expand_value(expanded));
    }

    static bool is_time_name(std::string_view name) {
        std::string lower(name);
        std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
        return lower.find("time") != std::string::npos && lower.find("offset") == std::string::npos;
    }

    std::string scalar_text(const json::value& value) const {
        switch (value.kind()) {
            case json::kind::string: return std::string(value.get_string());
            case json::kind::int64: return std::to_string(value.get_int64());
            case json::kind::uint64: return std::to_string(value.get_uint64());
            case json::kind::double_: return float_repr(value.get_double());
            case json::kind::bool_: return value.get_bool() ? "true" : "false";
            case json::kind::null: return "None";
            case json::kind::array:
            case json::kind::object: return {};
        }
        return {};
    }

    // Extension content: name=value for scalars, name then sorted members for objects; each member of
    // an array is written as its own entry under the same name.
    void generic(const std::string& name, const json::value& value, std::vector<std::string>& out) const {
        if (const auto* array = value.if_array()) {
            for (const auto& member : *array) generic(name, member, out);
            return;
        }
        if (const auto* object = value.if_object()) {
            std::vector<std::string> members;
            for (const auto& [key, member] : *object) {
                if (!is_comment_key(key)) generic(namespaces_.expand_key(key, true), member, members);
            }
            out.push_back(name + join_sorted(std::move(members)));
            return;
        }
        const std::string raw = scalar_text(value);
        const std::string_view text = trim(raw);
        if (text.empty()) {
            out.push_back(name);
            return;
        }
        out.push_back(name + "=" + canonical_hash_value(namespaces_.expand_value(text)));
    }

    const Namespaces& namespaces_;
};

}  // namespace

std::string event_pre_hash(const json::object& event, const Namespaces& namespaces) {
    return PreHashWriter(namespaces).event(event);
}

std::string event_hash_id(const std::string& pre_image) {
    const Hash digest = sha256(pre_image);
    return "ni:///sha-256;" + to_hex(digest) + "?ver=CBV2.0";
}

}  // namespace rxl::epcis
