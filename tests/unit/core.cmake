rxl_test(core_test SOURCES unit/core_test.cpp LIBS rxl_core LABEL unit)
