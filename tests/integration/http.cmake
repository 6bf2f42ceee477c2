# The HTTPS server, router, problem+json, metrics, access log and client, over real TLS on 127.0.0.1.
# support/tls.cpp makes throwaway certificates (with the openssl command) and raw TCP/TLS connections.
rxl_test(http_server_test SOURCES integration/http_server_test.cpp support/tls.cpp LIBS rxl_http LABEL integration)
