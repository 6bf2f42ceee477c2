add_library(rxl_test_node STATIC support/test_node.cpp support/tls.cpp)
target_link_libraries(rxl_test_node PUBLIC rxl_cli rxl_http Boost::json fmt::fmt OpenSSL::SSL)
target_compile_definitions(rxl_test_node PUBLIC RXL_BINARY_DIR="${CMAKE_BINARY_DIR}")

rxl_test(node_test SOURCES integration/node_test.cpp LIBS rxl_test_node rxl_cli LABEL integration)
# The node binaries must be built before the integration tests run them.
add_dependencies(node_test rxledgerd rxledger)

rxl_test(ledger_api_test SOURCES integration/ledger_api_test.cpp LIBS rxl_test_node rxl_cli rxl_merkle LABEL integration)
add_dependencies(ledger_api_test rxledgerd rxledger)

# The PostgreSQL store against its in-memory twin; needs a database, not a running node.
rxl_test(store_test SOURCES integration/store_test.cpp LIBS rxl_test_node rxl_service LABEL integration)

# Read authentication: tokens issued and revoked with the rxledger binary, and client certificates.
rxl_test(auth_test SOURCES integration/auth_test.cpp LIBS rxl_test_node rxl_cli LABEL integration)
add_dependencies(auth_test rxledgerd rxledger)

# Verification, alerts, receipts and pack operations over HTTPS.
rxl_test(verify_api_test SOURCES integration/verify_test.cpp LIBS rxl_test_node rxl_cli rxl_service LABEL integration)
add_dependencies(verify_api_test rxledgerd rxledger)

# The verification log: any input stored; a record the database refuses costs only itself.
rxl_test(verification_log_test SOURCES integration/verification_log_test.cpp LIBS rxl_test_node rxl_cli rxl_service LABEL integration)
add_dependencies(verification_log_test rxledgerd rxledger)

# Recalls, their reach and affected units, and alerts (server/app/recall_handlers.cpp, alert_handlers.cpp).
rxl_test(recall_test SOURCES integration/recall_test.cpp LIBS rxl_test_node rxl_cli LABEL integration)
add_dependencies(recall_test rxledgerd rxledger)

# The consortium: three etcd members, three databases and three nodes started by scripts/cluster, and
# their failures (kill -9, lost quorum, compaction and catch-up, a tampered node).
add_library(rxl_test_cluster STATIC support/test_cluster.cpp)
target_link_libraries(rxl_test_cluster PUBLIC rxl_test_node rxl_app)
target_compile_definitions(rxl_test_cluster PUBLIC RXL_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
rxl_test(cluster_test SOURCES integration/cluster_test.cpp LIBS rxl_test_cluster rxl_cli LABEL cluster)
add_dependencies(cluster_test rxledgerd rxledger)
# docker-compose.yml and the Dockerfile against the topology of scripts/cluster (no Docker engine needed).
add_test(NAME compose_structure
         COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/cluster/compose_test.py --source ${CMAKE_SOURCE_DIR} --rxledger $<TARGET_FILE:rxledger>)
set_tests_properties(compose_structure PROPERTIES LABELS cluster)

# The node's HTTP limits end to end: header checks before bodies, entry pages by bytes, encodings (issue 13).
rxl_test(http_limits_test SOURCES integration/http_limits_test.cpp LIBS rxl_test_node rxl_cli LABEL integration)
add_dependencies(http_limits_test rxledgerd rxledger)

# The audit and the start-up check against tampered tables, and read errors on missing rows
# (DESIGN.md section 10, rule 4).
rxl_test(audit_test SOURCES integration/audit_test.cpp LIBS rxl_test_node rxl_cli LABEL integration)
add_dependencies(audit_test rxledgerd rxledger)
