// The EPCIS 2.0 capture document as the ledger sees it: parsed from JSON / JSON-LD, validated against
// the EPCIS 2.0 rules, normalised, and with every event's CBV 2.0 event hash id computed.
//
// What the ledger's rules read is normalised here once: vocabulary values as bare CBV words, identifiers
// as parsed GS1 keys, times as UTC milliseconds. The event's JSON is kept as given for queries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/core/result.hpp"
#include "ledger/gs1/identifiers.hpp"

namespace rxl::epcis {

enum class EventType { object, aggregation, transaction, transformation, association };
enum class Action { none, add, observe, remove };  // `remove` is EPCIS "DELETE"

std::string_view to_string(EventType type);  // "ObjectEvent", …
std::string_view to_string(Action action);   // "", "ADD", "OBSERVE", "DELETE"

// A source or destination: its type as a bare CBV word ("owning_party", "possessing_party",
// "location") or, for a non-CBV type, the full URI; and its id parsed as a GS1 identifier.
struct Party {
    std::string type;
    gs1::Identifier id;
};

struct Event {
    std::size_t index = 0;           // position in the document's eventList, from 0
    EventType type = EventType::object;
    std::string hash_id;             // "ni:///sha-256;<hex>?ver=CBV2.0" (DESIGN.md section 9)
    std::string event_id;            // the document's eventID if it gave one, else hash_id
    std::int64_t event_time_ms = 0;  // eventTime in UTC, milliseconds since 1970
    std::string event_time_zone_offset;  // "+02:00"
    Action action = Action::none;
    // bizStep / disposition as bare CBV words ("shipping", "in_transit") whatever form they came in;
    // a non-CBV URI stays as given; empty when absent.
    std::string biz_step;
    std::string disposition;
    std::vector<gs1::Identifier> epc_list;     // ObjectEvent epcList, TransactionEvent epcList
    std::optional<gs1::Identifier> parent_id;  // AggregationEvent / TransactionEvent parentID
    std::vector<gs1::Identifier> child_epcs;   // AggregationEvent childEPCs
    std::optional<gs1::Identifier> read_point;
    std::optional<gs1::Identifier> biz_location;
    std::vector<Party> sources;
    std::vector<Party> destinations;
    bool has_ilmd = false;
    std::optional<std::string> lot_number;       // ILMD cbvmda:lotNumber
    std::optional<std::string> item_expiration;  // ILMD cbvmda:itemExpirationDate, "YYYY-MM-DD"
    bool is_error_declaration = false;
    std::string json;  // the event object serialised compactly (Boost.JSON), for queries
};

struct Document {
    std::string schema_version;
    std::vector<Event> events;
};

// Parses, validates and normalises an EPCISDocument. Errors are ErrorKind::invalid_input with code
// "invalid-json" (not JSON, or nested deeper than limits::json_depth_max), "invalid-epcis" (breaks an
// EPCIS 2.0 rule), "bad-identifier", or one of the strict parser's codes (strict_json.hpp: a duplicate
// member name, a NUL, a number out of range, a string too long); too many events is ErrorKind::too_large
// "too-many-events".
// The error's pointer names the offending field ("/epcisBody/eventList/3/action").
Result<Document> parse_document(std::string_view json_text);

// The CBV 2.0 event hash ids of every event in a document (EPCISDocument or EPCISQueryDocument), in
// document order, without the ledger's validation: used by conformance tests and by tools.
Result<std::vector<std::string>> event_hash_ids(std::string_view json_text);

}  // namespace rxl::epcis
