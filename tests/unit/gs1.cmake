rxl_test(gs1_test SOURCES unit/gs1_test.cpp LIBS rxl_gs1 LABEL unit)
rxl_test(gs1_barcode_test SOURCES unit/gs1_barcode_test.cpp LIBS rxl_gs1 Boost::json LABEL unit)
