rxl_module(rxl_merkle
  SOURCES merkle/merkle.cpp
  DEPENDS rxl_core)
