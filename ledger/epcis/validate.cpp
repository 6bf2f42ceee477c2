#include "ledger/epcis/validate.hpp"

#include <algorithm>
#include <array>
#include <set>

#include <boost/json/array.hpp>

#include "ledger/core/limits.hpp"
#include "ledger/epcis/normalise.hpp"
#include "ledger/gs1/identifiers.hpp"
#include "ledger/epcis/timestamp.hpp"
#include "ledger/epcis/vocabulary.hpp"

namespace rxl::epcis {
namespace {

namespace json = boost::json;

Error invalid(std::string detail, std::string pointer) {
    return make_error(ErrorKind::invalid_input, "invalid-epcis", std::move(detail), std::move(pointer));
}

// JSON pointer escaping (RFC 6901) of one key.
std::string pointer_key(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

std::string child(const std::string& pointer, std::string_view key) { return pointer + "/" + pointer_key(key); }
std::string child(const std::string& pointer, std::size_t index) { return pointer + "/" + std::to_string(index); }

const json::string* string_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value ? value->if_string() : nullptr;
}

// A URI or identifier string the ledger stores in a column of its own: bounded so that it can be
// stored and indexed whatever PostgreSQL's limits (NUL and invalid UTF-8 never get past strict_json).
Status check_uri_length(std::string_view text, std::string_view name, const std::string& pointer) {
    if (text.size() > limits::epcis_uri_bytes_max)
        return invalid(std::string(name) + " is longer than " + std::to_string(limits::epcis_uri_bytes_max) + " bytes",
                       pointer);
    return ok_status();
}

Status require_string(const json::object& object, std::string_view key, const std::string& pointer) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) return invalid(std::string(key) + " is required", child(pointer, key));
    if (!value->is_string()) return invalid(std::string(key) + " must be a string", child(pointer, key));
    return ok_status();
}

Status check_time(const json::object& object, std::string_view key, const std::string& pointer, bool required) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) {
        if (required) return invalid(std::string(key) + " is required", child(pointer, key));
        return ok_status();
    }
    if (!value->is_string() || !parse_timestamp(value->get_string()))
        return invalid(std::string(key) + " must be an RFC 3339 date-time with a UTC offset, such as "
                                          "2024-05-01T10:00:00.000+02:00",
                       child(pointer, key));
    return ok_status();
}

Status check_vocabulary(const json::value& value, Vocabulary vocabulary, std::string_view name,
                        const std::string& pointer) {
    if (value.is_string()) {
        if (auto status = check_uri_length(value.get_string(), name, pointer); !status) return status;
    }
    if (!value.is_string() || !is_valid_vocabulary_value(vocabulary, value.get_string()))
        return invalid(std::string(name) + " must be a CBV " + std::string(name) +
                           " value (a bare CBV word, its urn:epcglobal:cbv URN or its https://ref.gs1.org/cbv URI) or "
                           "a non-CBV URI",
                       pointer);
    return ok_status();
}

Status check_optional_vocabulary(const json::object& object, std::string_view key, Vocabulary vocabulary,
                                 const std::string& pointer) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) return ok_status();
    return check_vocabulary(*value, vocabulary, key, child(pointer, key));
}

Status check_string_list(const json::object& object, std::string_view key, const std::string& pointer) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) return ok_status();
    const auto* array = value->if_array();
    if (array == nullptr) return invalid(std::string(key) + " must be an array of identifiers", child(pointer, key));
    for (std::size_t i = 0; i < array->size(); ++i) {
        if (!(*array)[i].is_string() || (*array)[i].get_string().empty())
            return invalid(std::string(key) + " members must be identifier strings", child(child(pointer, key), i));
    }
    return ok_status();
}

Status check_quantity_element(const json::value& value, const std::string& pointer) {
    const auto* element = value.if_object();
    if (element == nullptr) return invalid("a quantity element must be an object", pointer);
    if (auto status = require_string(*element, "epcClass", pointer); !status) return status;
    for (const auto& [key, member] : *element) {
        if (key == "quantity") {
            if (!member.is_number()) return invalid("quantity must be a number", child(pointer, key));
        } else if (key == "uom") {
            if (!member.is_string()) return invalid("uom must be a string", child(pointer, key));
        } else if (key != "epcClass") {
            return invalid("unknown field " + std::string(key) + " in a quantity element (only epcClass, quantity, uom)",
                           child(pointer, key));
        }
    }
    return ok_status();
}

Status check_quantity_list(const json::object& object, std::string_view key, const std::string& pointer) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) return ok_status();
    const auto* array = value->if_array();
    if (array == nullptr) return invalid(std::string(key) + " must be an array", child(pointer, key));
    for (std::size_t i = 0; i < array->size(); ++i) {
        if (auto status = check_quantity_element((*array)[i], child(child(pointer, key), i)); !status) return status;
    }
    return ok_status();
}

Status check_certification_info(const json::object& event, const std::string& pointer) {
    const auto* value = event.if_contains("certificationInfo");
    if (value == nullptr) return ok_status();
    const std::string field = child(pointer, "certificationInfo");
    const auto is_uri = [](const json::value& member) {
        return member.is_string() && member.get_string().size() <= limits::epcis_uri_bytes_max &&
               has_uri_scheme(member.get_string());
    };
    if (const auto* array = value->if_array()) {
        for (std::size_t i = 0; i < array->size(); ++i)
            if (!is_uri((*array)[i])) return invalid("certificationInfo members must be URI strings", child(field, i));
        return ok_status();
    }
    if (!is_uri(*value)) return invalid("certificationInfo must be a URI or an array of URIs", field);
    return ok_status();
}

Status check_location(const json::object& event, std::string_view key, const std::string& pointer) {
    const auto* value = event.if_contains(key);
    if (value == nullptr) return ok_status();
    if (!value->is_object()) return invalid(std::string(key) + " must be an object with an id", child(pointer, key));
    return require_string(value->get_object(), "id", child(pointer, key));
}

// bizTransactionList, sourceList, destinationList: [{type, <value_key>}], type from the vocabulary.
Status check_typed_list(const json::object& event, std::string_view key, std::string_view value_key,
                        Vocabulary vocabulary, bool type_required, const std::string& pointer) {
    const auto* value = event.if_contains(key);
    if (value == nullptr) return ok_status();
    const auto* array = value->if_array();
    if (array == nullptr) return invalid(std::string(key) + " must be an array", child(pointer, key));
    for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string member = child(child(pointer, key), i);
        const auto* object = (*array)[i].if_object();
        if (object == nullptr) return invalid(std::string(key) + " members must be objects", member);
        if (auto status = require_string(*object, value_key, member); !status) return status;
        if (type_required && !object->contains("type")) return invalid("type is required", child(member, "type"));
        if (const auto* type = object->if_contains("type")) {
            if (auto status = check_vocabulary(*type, vocabulary, "type", child(member, "type")); !status) return status;
        }
    }
    return ok_status();
}

Status check_persistent_disposition(const json::object& event, const std::string& pointer) {
    const auto* value = event.if_contains("persistentDisposition");
    if (value == nullptr) return ok_status();
    const std::string field = child(pointer, "persistentDisposition");
    if (!value->is_object()) return invalid("persistentDisposition must be an object", field);
    for (std::string_view key : {"set", "unset"}) {
        const auto* list = value->get_object().if_contains(key);
        if (list == nullptr) continue;
        if (!list->is_array()) return invalid(std::string(key) + " must be an array", child(field, key));
        for (std::size_t i = 0; i < list->get_array().size(); ++i) {
            if (auto status = check_vocabulary(list->get_array()[i], Vocabulary::disposition, "disposition",
                                               child(child(field, key), i));
                !status)
                return status;
        }
    }
    return ok_status();
}

// The ILMD attributes the ledger stores: the lot as GS1 AI (10) (1 to 20 characters of CSET 82) and the
// expiry as an xsd:date, the grammar CBV gives cbvmda:itemExpirationDate.
Status check_master_data(const std::string& name, const json::value& member, const std::string& pointer) {
    if (name == "lotNumber") {
        const auto* lot = member.if_string();
        if (lot == nullptr || lot->empty() || lot->size() > limits::lot_chars_max || !gs1::is_cset82(*lot))
            return invalid("cbvmda:lotNumber must be a GS1 lot, AI (10): 1 to 20 characters of GS1 CSET 82", pointer);
    } else if (name == "itemExpirationDate") {
        const auto* date = member.if_string();
        if (date == nullptr || !canonical_xsd_date(*date))
            return invalid("cbvmda:itemExpirationDate must be an xsd:date of a real day, such as 2030-12-31", pointer);
    }
    return ok_status();
}

Status check_ilmd(const json::object& event, const Namespaces& namespaces, const std::string& pointer) {
    const auto* value = event.if_contains("ilmd");
    if (value == nullptr) return ok_status();
    const std::string field = child(pointer, "ilmd");
    if (!value->is_object()) return invalid("ilmd must be an object", field);
    std::set<std::string> master_data;  // lotNumber, itemExpirationDate, … as named, whatever the prefix
    for (const auto& [key, member] : value->get_object()) {
        if (!namespaces.is_namespaced(key))
            return invalid("ILMD field " + std::string(key) +
                               " has no namespace: ILMD fields must be written prefix:name with the prefix declared "
                               "in @context",
                           child(field, key));
        const std::string name = master_data_name(key, namespaces);
        if (name.empty()) continue;
        if (!master_data.insert(name).second)
            return invalid("ILMD names cbvmda:" + name + " twice (under two prefixes)", child(field, key));
        if (auto status = check_master_data(name, member, child(field, key)); !status) return status;
    }
    return ok_status();
}

Status check_error_declaration(const json::object& event, const std::string& pointer) {
    const auto* value = event.if_contains("errorDeclaration");
    if (value == nullptr) return ok_status();
    const std::string field = child(pointer, "errorDeclaration");
    if (!value->is_object()) return invalid("errorDeclaration must be an object", field);
    if (auto status = check_time(value->get_object(), "declarationTime", field, true); !status) return status;
    return check_optional_vocabulary(value->get_object(), "reason", Vocabulary::error_reason, field);
}

constexpr std::array<std::string_view, 31> standard_event_keys{
    "@context",          "type",               "eventID",           "eventTime",         "recordTime",
    "eventTimeZoneOffset", "certificationInfo", "errorDeclaration",  "action",            "epcList",
    "quantityList",      "bizStep",            "disposition",       "persistentDisposition", "readPoint",
    "bizLocation",       "bizTransactionList", "sourceList",        "destinationList",   "sensorElementList",
    "ilmd",              "parentID",           "childEPCs",         "childQuantityList", "inputEPCList",
    "inputQuantityList", "outputEPCList",      "outputQuantityList", "transformationID", "rdfs:comment",
    "comment"};

// Fields outside the EPCIS vocabulary are extensions and must name their namespace.
Status check_extension_names(const json::object& event, const Namespaces& namespaces, const std::string& pointer) {
    for (const auto& [key, value] : event) {
        const bool standard =
            std::find(standard_event_keys.begin(), standard_event_keys.end(), key) != standard_event_keys.end();
        if (!standard && !namespaces.is_namespaced(key))
            return invalid("unknown field " + std::string(key) + ": extension fields must be written prefix:name",
                           child(pointer, key));
    }
    return ok_status();
}

Status check_action(const json::object& event, std::string_view type, const std::string& pointer) {
    const auto* action = event.if_contains("action");
    if (type == "TransformationEvent") {
        if (action != nullptr) return invalid("a TransformationEvent has no action", child(pointer, "action"));
        return ok_status();
    }
    if (action == nullptr) return invalid("action is required", child(pointer, "action"));
    if (!action->is_string() || (action->get_string() != "ADD" && action->get_string() != "OBSERVE" &&
                                 action->get_string() != "DELETE"))
        return invalid("action must be ADD, OBSERVE or DELETE", child(pointer, "action"));
    return ok_status();
}

// What each event type must or may not carry (ObjectEvent-JSON-Schema.json, AggregationEvent-…).
Status check_event_shape(const json::object& event, std::string_view type, const std::string& pointer) {
    const auto* action = string_at(event, "action");
    const bool is_delete = action != nullptr && *action == "DELETE";
    const bool is_add = action != nullptr && *action == "ADD";
    if (event.contains("ilmd") && !(type == "TransformationEvent" || (type == "ObjectEvent" && is_add)))
        return invalid("ilmd is allowed only in an ObjectEvent with action ADD or in a TransformationEvent",
                       child(pointer, "ilmd"));
    if (type == "ObjectEvent" && !event.contains("epcList") && !event.contains("quantityList") &&
        !(event.contains("sensorElementList") && event.contains("readPoint")))
        return invalid("an ObjectEvent needs an epcList or a quantityList", child(pointer, "epcList"));
    if ((type == "AggregationEvent" || type == "AssociationEvent") && !is_delete) {
        if (!event.contains("parentID"))
            return invalid("parentID is required unless action is DELETE", child(pointer, "parentID"));
        if (!event.contains("childEPCs") && !event.contains("childQuantityList"))
            return invalid("childEPCs or childQuantityList is required unless action is DELETE",
                           child(pointer, "childEPCs"));
    }
    if (type == "AssociationEvent" && !event.contains("parentID"))
        return invalid("parentID is required", child(pointer, "parentID"));
    if (type == "TransactionEvent" && !event.contains("bizTransactionList"))
        return invalid("a TransactionEvent needs a bizTransactionList", child(pointer, "bizTransactionList"));
    return ok_status();
}

Status check_identifiers(const json::object& event, const std::string& pointer) {
    for (std::string_view key : {"epcList", "childEPCs", "inputEPCList", "outputEPCList"}) {
        if (auto status = check_string_list(event, key, pointer); !status) return status;
    }
    for (std::string_view key : {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}) {
        if (auto status = check_quantity_list(event, key, pointer); !status) return status;
    }
    for (std::string_view key : {"parentID", "eventID", "transformationID"}) {
        if (event.contains(key)) {
            if (auto status = require_string(event, key, pointer); !status) return status;
            if (auto status = check_uri_length(event.at(key).get_string(), key, child(pointer, key)); !status)
                return status;
        }
    }
    if (auto status = check_location(event, "readPoint", pointer); !status) return status;
    return check_location(event, "bizLocation", pointer);
}

Status check_why(const json::object& event, const std::string& pointer) {
    if (auto status = check_optional_vocabulary(event, "bizStep", Vocabulary::biz_step, pointer); !status) return status;
    if (auto status = check_optional_vocabulary(event, "disposition", Vocabulary::disposition, pointer); !status)
        return status;
    if (auto status = check_persistent_disposition(event, pointer); !status) return status;
    if (auto status = check_typed_list(event, "bizTransactionList", "bizTransaction", Vocabulary::biz_transaction_type,
                                       false, pointer);
        !status)
        return status;
    if (auto status = check_typed_list(event, "sourceList", "source", Vocabulary::source_destination_type, true, pointer);
        !status)
        return status;
    return check_typed_list(event, "destinationList", "destination", Vocabulary::source_destination_type, true, pointer);
}

}  // namespace

Status validate_envelope(const json::object& document) {
    const auto* type = string_at(document, "type");
    if (type != nullptr && *type == "EPCISQueryDocument")
        return invalid("an EPCISQueryDocument is a query result, not a capture document: send an EPCISDocument",
                       "/type");
    if (type == nullptr || *type != "EPCISDocument") return invalid("type must be EPCISDocument", "/type");
    if (!document.contains("@context")) return invalid("@context is required in a JSON-LD EPCIS document", "/@context");
    const auto* context = document.if_contains("@context");
    if (!context->is_string() && !context->is_array() && !context->is_object())
        return invalid("@context must be a string, an object or an array", "/@context");
    if (auto status = require_string(document, "schemaVersion", ""); !status) return status;
    const std::string_view version = document.at("schemaVersion").get_string();
    if (version.empty() || !std::all_of(version.begin(), version.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }))
        return invalid("schemaVersion must be a version number such as 2.0", "/schemaVersion");
    if (auto status = check_time(document, "creationDate", "", true); !status) return status;
    const auto* body = document.if_contains("epcisBody");
    if (body == nullptr || !body->is_object()) return invalid("epcisBody is required and must be an object", "/epcisBody");
    const auto* events = body->get_object().if_contains("eventList");
    if (events == nullptr || !events->is_array())
        return invalid("epcisBody.eventList is required and must be an array", "/epcisBody/eventList");
    if (events->get_array().size() > limits::capture_events_max)
        return make_error(ErrorKind::too_large, "too-many-events",
                          "a capture document may hold at most " + std::to_string(limits::capture_events_max) + " events",
                          "/epcisBody/eventList");
    return ok_status();
}

}  // namespace rxl::epcis

namespace rxl::epcis {

Status validate_event(const json::object& event, const Namespaces& namespaces, const std::string& pointer) {
    static constexpr std::array<std::string_view, 5> event_types{
        "ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"};
    const auto* type = string_at(event, "type");
    if (type == nullptr) return invalid("type is required", child(pointer, "type"));
    if (std::find(event_types.begin(), event_types.end(), std::string_view(*type)) == event_types.end())
        return invalid("type must be one of the five EPCIS 2.0 event types", child(pointer, "type"));
    if (auto status = check_time(event, "eventTime", pointer, true); !status) return status;
    if (auto status = require_string(event, "eventTimeZoneOffset", pointer); !status) return status;
    if (!is_time_zone_offset(event.at("eventTimeZoneOffset").get_string()))
        return invalid("eventTimeZoneOffset must be +hh:mm or -hh:mm", child(pointer, "eventTimeZoneOffset"));
    if (auto status = check_time(event, "recordTime", pointer, false); !status) return status;
    if (auto status = check_action(event, *type, pointer); !status) return status;
    if (auto status = check_event_shape(event, *type, pointer); !status) return status;
    if (auto status = check_identifiers(event, pointer); !status) return status;
    if (auto status = check_why(event, pointer); !status) return status;
    if (auto status = check_certification_info(event, pointer); !status) return status;
    if (auto status = check_error_declaration(event, pointer); !status) return status;
    if (auto status = check_ilmd(event, namespaces, pointer); !status) return status;
    return check_extension_names(event, namespaces, pointer);
}

}  // namespace rxl::epcis
