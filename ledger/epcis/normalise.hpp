// A validated EPCIS event turned into the Event the ledger's rules read (document.hpp).
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "ledger/epcis/document.hpp"
#include "ledger/epcis/namespaces.hpp"

namespace rxl::epcis {

// Precondition: validate_event accepted the event. Fills everything but index, hash_id and json;
// event_id is left empty when the event gives none. A GS1 identifier that does not parse is
// ErrorKind::invalid_input "bad-identifier" with its pointer.
Result<Event> normalise_event(const boost::json::object& event, const Namespaces& namespaces, const std::string& pointer);

// The local name of an ILMD key in the CBV master-data namespace ("lotNumber" for
// "cbvmda:lotNumber", "urn:epcglobal:cbv:mda:lotNumber", "https://ref.gs1.org/cbv/mda/lotNumber", …),
// or empty for any other key.
std::string master_data_name(std::string_view key, const Namespaces& namespaces);

}  // namespace rxl::epcis
