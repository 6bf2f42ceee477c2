rxl_module(rxl_epcis
  SOURCES
    epcis/document.cpp
    epcis/digital_link.cpp
    epcis/digital_link_uri.cpp
    epcis/event_hash.cpp
    epcis/namespaces.cpp
    epcis/normalise.cpp
    epcis/strict_json.cpp
    epcis/timestamp.cpp
    epcis/validate.cpp
    epcis/vocabulary.cpp
  DEPENDS rxl_gs1 Boost::json)
