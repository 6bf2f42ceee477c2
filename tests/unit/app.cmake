# The node's application layer (server/app) without a network or a database: read authentication and the web pages.
rxl_test(tokens_test SOURCES unit/tokens_test.cpp LIBS rxl_app LABEL unit)
# The consortium's etcd log value format and key ranges.
rxl_test(consortium_test SOURCES unit/consortium_test.cpp LIBS rxl_app LABEL unit)
# The embedded web pages and their headers (server/app/web_handlers.cpp).
rxl_test(web_test SOURCES unit/web_test.cpp LIBS rxl_app LABEL unit)
