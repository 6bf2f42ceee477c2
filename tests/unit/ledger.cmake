# The ledger core (ledger/apply): entry encoding, submissions, genesis, custody rules, pack operations,
# recalls, alerts, apply.
rxl_test(ledger_test
  SOURCES unit/ledger_test.cpp unit/rules_test.cpp unit/apply_test.cpp unit/pack_rules_test.cpp
          unit/recall_alert_test.cpp unit/storable_test.cpp
  LIBS rxl_ledger
  LABEL unit)
# Alert aggregation: the node's window (ledger/service/alert_window.hpp) and the batch body it applies as.
rxl_test(alert_test SOURCES unit/alert_test.cpp LIBS rxl_service rxl_ledger LABEL unit)
