// The CBV 2.0 event hash id (DESIGN.md section 9; CBV 2.0 section 8.9), pinned by the vectors in
// shared/testdata/epcis-hash/.
//
// Pre-image grammar: "eventType=" type, then the standard fields in canonical order, each written
// name=value (a list or object field writes its name once, then its members, sorted by code point
// after being written out), then everything else in the event (ilmd and extension fields, as
// {namespace}localName=value, nested members sorted), sorted. eventID, recordTime, errorDeclaration,
// comments and the event's "type" key itself are never part of the pre-image.
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
