rxl_module(rxl_gs1
  SOURCES gs1/identifiers.cpp
  DEPENDS rxl_core Boost::url)
