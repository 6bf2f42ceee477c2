// The CBV 2.0 event hash id (DESIGN.md section 9; CBV 2.0 section 8.9), pinned by the vectors in
// shared/testdata/epcis-hash/.
//
// Pre-image grammar (no separators anywhere):
//   "eventType=" type
//   then, each only if present: eventTime, eventTimeZoneOffset, certificationInfo, parentID, epcList,
//   inputEPCList, childEPCs, quantityList, childQuantityList, inputQuantityList, outputEPCList,
//   outputQuantityList, action, transformationID, bizStep, disposition, persistentDisposition (set,
//   unset), readPoint (id), bizLocation (id), sensorElementList (sensorMetadata, sensorReport);
//   then one block, sorted by code point, of bizTransactionList, sourceList, destinationList, ilmd and
//   every extension field.
// A scalar is written name=value; a list or object writes its name once, then its members, each
// written out and then sorted; an object's own extension fields follow its ordered fields, sorted.
// Inside bizTransaction, source and destination "type=" comes before the value. Extension names are
// "{namespace}localName". Times are UTC with three fraction digits (half up); bare CBV words become
// Web URIs; numbers lose padding; GS1 keys become canonical Digital Links (digital_link.hpp).
// eventID, recordTime, errorDeclaration, comments and the event's "type" key are never hashed.
//
// Where this differs from DESIGN.md section 9 (parentID before epcList, certificationInfo third, the
// three party/transaction lists in the sorted block) it follows the vectors, which are the judge.
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "ledger/epcis/namespaces.hpp"

namespace rxl::epcis {

// The pre-image string of one event object, as it came in the document.
std::string event_pre_hash(const boost::json::object& event, const Namespaces& namespaces);

// "ni:///sha-256;<lowercase hex of SHA-256(pre_image)>?ver=CBV2.0".
std::string event_hash_id(const std::string& pre_image);

// A value as the hash writes it (exposed for tests): CBV URNs become Web URIs, numbers lose leading
// "+", leading and trailing zeros, and GS1 keys become canonical Digital Links.
std::string canonical_hash_value(std::string_view text);

}  // namespace rxl::epcis
