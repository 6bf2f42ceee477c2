rxl_module(rxl_gs1
  SOURCES gs1/identifiers.cpp gs1/barcode.cpp
  DEPENDS rxl_core Boost::url)
