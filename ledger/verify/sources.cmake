rxl_module(rxl_verify
  SOURCES verify/verify.cpp verify/verify_json.cpp verify/vrs.cpp
  DEPENDS rxl_ledger rxl_epcis rxl_gs1 rxl_core Boost::json fmt::fmt)
