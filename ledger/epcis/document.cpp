#include "ledger/epcis/document.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "ledger/core/limits.hpp"
#include "ledger/epcis/event_hash.hpp"
#include "ledger/epcis/namespaces.hpp"
#include "ledger/epcis/normalise.hpp"
#include "ledger/epcis/strict_json.hpp"
#include "ledger/epcis/validate.hpp"

namespace rxl::epcis {
namespace {

namespace json = boost::json;

// The one place a document is parsed: strict (ledger/epcis/strict_json.hpp), depth-limited, and its
// errors are values.
Result<json::value> parse_json(std::string_view text) { return json_text::parse(text, "invalid-json"); }

Result<const json::object*> document_object(const json::value& value) {
    const auto* document = value.if_object();
    if (document == nullptr)
        return make_error(ErrorKind::invalid_input, "invalid-epcis", "an EPCIS document must be a JSON object");
    return document;
}

// The event list of an EPCISDocument or of an EPCISQueryDocument's query results.
const json::array* event_list(const json::object& document) {
    const auto* body = document.if_contains("epcisBody");
    if (body == nullptr || !body->is_object()) return nullptr;
    const json::value* list = body->get_object().if_contains("eventList");
    if (list == nullptr) {
        const auto* results = body->get_object().if_contains("queryResults");
        const auto* results_body = results && results->is_object() ? results->get_object().if_contains("resultsBody") : nullptr;
        list = results_body && results_body->is_object() ? results_body->get_object().if_contains("eventList") : nullptr;
    }
    return list ? list->if_array() : nullptr;
}

Namespaces namespaces_of(const json::object& document) {
    const auto* context = document.if_contains("@context");
    return context ? Namespaces::from_context(*context) : Namespaces{};
}

// An event may declare further prefixes in its own @context.
Namespaces event_namespaces(const json::object& event, const Namespaces& document_namespaces) {
    const auto* context = event.if_contains("@context");
    return context ? document_namespaces.with_context(*context) : document_namespaces;
}

}  // namespace

std::string_view to_string(EventType type) {
    switch (type) {
        case EventType::object: return "ObjectEvent";
        case EventType::aggregation: return "AggregationEvent";
        case EventType::transaction: return "TransactionEvent";
        case EventType::transformation: return "TransformationEvent";
        case EventType::association: return "AssociationEvent";
    }
    return "";
}

std::string_view to_string(Action action) {
    switch (action) {
        case Action::none: return "";
        case Action::add: return "ADD";
        case Action::observe: return "OBSERVE";
        case Action::remove: return "DELETE";
    }
    return "";
}

Result<Document> parse_document(std::string_view json_text) {
    auto parsed = parse_json(json_text);
    if (!parsed) return parsed.error();
    auto object = document_object(*parsed);
    if (!object) return object.error();
    const json::object& document = **object;
    if (auto status = validate_envelope(document); !status) return status.error();
    const Namespaces namespaces = namespaces_of(document);
    const json::array& events = *event_list(document);
    Document result;
    result.schema_version = std::string(document.at("schemaVersion").get_string());
    result.events.reserve(events.size());
    for (std::size_t index = 0; index < events.size(); ++index) {
        const std::string pointer = "/epcisBody/eventList/" + std::to_string(index);
        if (!events[index].is_object())
            return make_error(ErrorKind::invalid_input, "invalid-epcis", "an event must be a JSON object", pointer);
        const json::object& event = events[index].get_object();
        const Namespaces namespaces_in_event = event_namespaces(event, namespaces);
        if (auto status = validate_event(event, namespaces_in_event, pointer); !status) return status.error();
        auto normalised = normalise_event(event, namespaces_in_event, pointer);
        if (!normalised) return normalised.error();
        normalised->index = index;
        normalised->hash_id = event_hash_id(event_pre_hash(event, namespaces_in_event));
        if (normalised->event_id.empty()) normalised->event_id = normalised->hash_id;
        normalised->json = json::serialize(event);
        result.events.push_back(std::move(*normalised));
    }
    return result;
}

Result<std::vector<std::string>> event_hash_ids(std::string_view json_text) {
    auto parsed = parse_json(json_text);
    if (!parsed) return parsed.error();
    auto object = document_object(*parsed);
    if (!object) return object.error();
    const json::array* events = event_list(**object);
    if (events == nullptr)
        return make_error(ErrorKind::invalid_input, "invalid-epcis", "the document has no event list", "/epcisBody");
    const Namespaces namespaces = namespaces_of(**object);
    std::vector<std::string> ids;
    for (std::size_t index = 0; index < events->size(); ++index) {
        if (!(*events)[index].is_object())
            return make_error(ErrorKind::invalid_input, "invalid-epcis", "an event must be a JSON object",
                              "/epcisBody/eventList/" + std::to_string(index));
        const json::object& event = (*events)[index].get_object();
        ids.push_back(event_hash_id(event_pre_hash(event, event_namespaces(event, namespaces))));
    }
    return ids;
}

}  // namespace rxl::epcis
