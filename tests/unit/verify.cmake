# The verification decision, its /v1/verify JSON and its DSCSA VRS face (ledger/verify).
rxl_test(verify_test
  SOURCES unit/verify_test.cpp unit/vrs_test.cpp unit/verify_pack_agreement_test.cpp
  LIBS rxl_verify rxl_ledger Boost::json
  LABEL unit)
