rxl_module(rxl_ledger
  SOURCES
    apply/submission.cpp
    apply/entry.cpp
    apply/registry.cpp
    apply/state.cpp
    apply/rules.cpp
    apply/json_body.cpp
    apply/epcis_rules.cpp
    apply/pack_rules.cpp
    apply/recall_rules.cpp
    apply/alert_body.cpp
    apply/alert_rules.cpp
    apply/applier.cpp
    apply/memory_state.cpp
    orderer/in_process_orderer.cpp
  DEPENDS rxl_epcis rxl_merkle rxl_gs1 rxl_core Boost::json)
