// The EPCIS 2.0 rules a capture document must satisfy, checked by hand from the JSON schemas in
// shared/testdata/epcis/json-schema (required fields, enumerations, which event type may carry what).
#pragma once

#include <boost/json/object.hpp>

#include "ledger/core/result.hpp"
#include "ledger/epcis/namespaces.hpp"

namespace rxl::epcis {

// Checks the document envelope (type, schemaVersion, creationDate, @context, epcisBody.eventList).
// An EPCISQueryDocument is refused: it is a query answer, not something one captures.
Status validate_envelope(const boost::json::object& document);

// Checks one event; `pointer` is the event's JSON pointer ("/epcisBody/eventList/3"), which prefixes
// the pointer of any error.
Status validate_event(const boost::json::object& event, const Namespaces& namespaces, const std::string& pointer);

}  // namespace rxl::epcis
