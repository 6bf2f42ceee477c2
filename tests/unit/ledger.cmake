# The ledger core (ledger/apply): entry encoding, submissions, genesis, custody rules, apply.
rxl_test(ledger_test
  SOURCES unit/ledger_test.cpp unit/rules_test.cpp unit/apply_test.cpp
  LIBS rxl_ledger
  LABEL unit)
