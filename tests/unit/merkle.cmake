rxl_test(merkle_test SOURCES unit/merkle_test.cpp LIBS rxl_merkle Boost::json LABEL unit)
