rxl_test(gs1_test SOURCES unit/gs1_test.cpp LIBS rxl_gs1 LABEL unit)
