# The node's application layer (server/app) without a network or a database: read authentication.
rxl_test(tokens_test SOURCES unit/tokens_test.cpp LIBS rxl_app LABEL unit)
# The consortium's etcd log value format and key ranges.
rxl_test(consortium_test SOURCES unit/consortium_test.cpp LIBS rxl_app LABEL unit)
