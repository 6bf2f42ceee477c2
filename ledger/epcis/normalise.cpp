#include "ledger/epcis/normalise.hpp"

#include <array>

#include <boost/json/array.hpp>

#include "ledger/epcis/timestamp.hpp"
#include "ledger/epcis/vocabulary.hpp"

namespace rxl::epcis {
namespace {

namespace json = boost::json;

Result<gs1::Identifier> identifier_at(const json::value& value, const std::string& pointer) {
    auto parsed = gs1::parse_identifier(value.get_string());
    if (!parsed) {
        Error error = parsed.error();
        error.kind = ErrorKind::invalid_input;
        error.code = "bad-identifier";
        error.pointer = pointer;
        return error;
    }
    return std::move(*parsed);
}

Status read_identifier_list(const json::object& event, std::string_view key, const std::string& pointer,
                            std::vector<gs1::Identifier>& into) {
    const auto* list = event.if_contains(key);
    if (list == nullptr) return ok_status();
    const json::array& array = list->get_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
        auto identifier = identifier_at(array[i], pointer + "/" + std::string(key) + "/" + std::to_string(i));
        if (!identifier) return identifier.error();
        into.push_back(std::move(*identifier));
    }
    return ok_status();
}

Result<std::optional<gs1::Identifier>> optional_identifier(const json::value* value, const std::string& pointer) {
    if (value == nullptr) return std::optional<gs1::Identifier>{};
    auto identifier = identifier_at(*value, pointer);
    if (!identifier) return identifier.error();
    return std::optional<gs1::Identifier>(std::move(*identifier));
}

Result<std::optional<gs1::Identifier>> location_id(const json::object& event, std::string_view key,
                                                    const std::string& pointer) {
    const auto* location = event.if_contains(key);
    if (location == nullptr) return std::optional<gs1::Identifier>{};
    return optional_identifier(location->get_object().if_contains("id"), pointer + "/" + std::string(key) + "/id");
}

Status read_parties(const json::object& event, std::string_view key, std::string_view value_key,
                    const std::string& pointer, std::vector<Party>& into) {
    const auto* list = event.if_contains(key);
    if (list == nullptr) return ok_status();
    const json::array& array = list->get_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
        const json::object& member = array[i].get_object();
        const std::string member_pointer = pointer + "/" + std::string(key) + "/" + std::to_string(i);
        auto id = identifier_at(member.at(value_key), member_pointer + "/" + std::string(value_key));
        if (!id) return id.error();
        const std::string_view type = member.at("type").get_string();
        auto word = cbv_word(Vocabulary::source_destination_type, type);
        into.push_back(Party{word ? *word : std::string(type), std::move(*id)});
    }
    return ok_status();
}

std::string vocabulary_value(const json::object& event, std::string_view key, Vocabulary vocabulary) {
    const auto* value = event.if_contains(key);
    if (value == nullptr) return {};
    const std::string_view text = value->get_string();
    auto word = cbv_word(vocabulary, text);
    return word ? *word : std::string(text);
}

EventType event_type_of(std::string_view type) {
    if (type == "AggregationEvent") return EventType::aggregation;
    if (type == "TransactionEvent") return EventType::transaction;
    if (type == "TransformationEvent") return EventType::transformation;
    if (type == "AssociationEvent") return EventType::association;
    return EventType::object;
}

Action action_of(const json::object& event) {
    const auto* action = event.if_contains("action");
    if (action == nullptr) return Action::none;
    if (action->get_string() == "ADD") return Action::add;
    if (action->get_string() == "OBSERVE") return Action::observe;
    return Action::remove;
}

void read_ilmd(const json::object& event, const Namespaces& namespaces, Event& out) {
    const auto* ilmd = event.if_contains("ilmd");
    if (ilmd == nullptr) return;
    out.has_ilmd = true;
    for (const auto& [key, value] : ilmd->get_object()) {
        if (!value.is_string()) continue;
        const std::string name = master_data_name(key, namespaces);
        if (name == "lotNumber") out.lot_number = std::string(value.get_string());
        // Stored canonically, as PostgreSQL's date gives it back (validate_event checked the grammar).
        if (name == "itemExpirationDate") out.item_expiration = canonical_xsd_date(value.get_string());
    }
}

Status read_what(const json::object& event, const std::string& pointer, Event& out) {
    if (out.type == EventType::object || out.type == EventType::transaction) {
        if (auto status = read_identifier_list(event, "epcList", pointer, out.epc_list); !status) return status;
    }
    if (auto status = read_identifier_list(event, "childEPCs", pointer, out.child_epcs); !status) return status;
    auto parent = optional_identifier(event.if_contains("parentID"), pointer + "/parentID");
    if (!parent) return parent.error();
    out.parent_id = std::move(*parent);
    return ok_status();
}

Status read_where(const json::object& event, const std::string& pointer, Event& out) {
    auto read_point = location_id(event, "readPoint", pointer);
    if (!read_point) return read_point.error();
    out.read_point = std::move(*read_point);
    auto biz_location = location_id(event, "bizLocation", pointer);
    if (!biz_location) return biz_location.error();
    out.biz_location = std::move(*biz_location);
    if (auto status = read_parties(event, "sourceList", "source", pointer, out.sources); !status) return status;
    return read_parties(event, "destinationList", "destination", pointer, out.destinations);
}

}  // namespace

std::string master_data_name(std::string_view key, const Namespaces& namespaces) {
    static constexpr std::array<std::string_view, 4> namespaces_of_mda{
        "urn:epcglobal:cbv:mda", "https://ref.gs1.org/cbv/mda", "https://ref.gs1.org/cbv", "http://ref.gs1.org/cbv/mda"};
    std::string expanded = namespaces.expand_key(key, false);
    std::string uri, local;
    if (expanded.starts_with("{") && expanded.find('}') != std::string::npos) {
        uri = expanded.substr(1, expanded.find('}') - 1);
        local = expanded.substr(expanded.find('}') + 1);
    } else {
        const std::size_t split = expanded.find_last_of(":#/");
        if (split == std::string::npos) return {};
        uri = expanded.substr(0, split + 1);
        local = expanded.substr(split + 1);
    }
    while (!uri.empty() && (uri.back() == ':' || uri.back() == '#' || uri.back() == '/')) uri.pop_back();
    for (std::string_view known : namespaces_of_mda)
        if (uri == known) return local;
    return {};
}

Result<Event> normalise_event(const json::object& event, const Namespaces& namespaces, const std::string& pointer) {
    Event out;
    out.type = event_type_of(event.at("type").get_string());
    const auto event_time = parse_timestamp(event.at("eventTime").get_string());
    RXL_ASSERT(event_time.has_value());
    out.event_time_ms = to_utc_milliseconds(*event_time);
    out.event_time_zone_offset = std::string(event.at("eventTimeZoneOffset").get_string());
    out.action = action_of(event);
    if (const auto* id = event.if_contains("eventID")) out.event_id = std::string(id->get_string());
    out.biz_step = vocabulary_value(event, "bizStep", Vocabulary::biz_step);
    out.disposition = vocabulary_value(event, "disposition", Vocabulary::disposition);
    if (auto status = read_what(event, pointer, out); !status) return status.error();
    if (auto status = read_where(event, pointer, out); !status) return status.error();
    read_ilmd(event, namespaces, out);
    out.is_error_declaration = event.contains("errorDeclaration");
    return out;
}

}  // namespace rxl::epcis
