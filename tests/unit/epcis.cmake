rxl_test(epcis_test SOURCES unit/epcis_test.cpp LIBS rxl_epcis LABEL unit)
