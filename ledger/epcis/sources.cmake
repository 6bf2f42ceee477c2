rxl_module(rxl_epcis
  SOURCES epcis/document.cpp
  DEPENDS rxl_gs1 Boost::json)
