rxl_module(rxl_merkle
  SOURCES merkle/merkle.cpp merkle/checkpoint.cpp
  DEPENDS rxl_core)
