# rxl_store: the PostgreSQL store, the only module that includes libpqxx. The SQL migrations in
# schemas/sql are embedded into the binary at build time, so a node never runs without its schema.
set(RXL_MIGRATIONS
  ${CMAKE_SOURCE_DIR}/schemas/sql/001_ledger.sql
  ${CMAKE_SOURCE_DIR}/schemas/sql/002_domain.sql
  ${CMAKE_SOURCE_DIR}/schemas/sql/003_checkpoints.sql
  ${CMAKE_SOURCE_DIR}/schemas/sql/004_tokens.sql
  ${CMAKE_SOURCE_DIR}/schemas/sql/005_verifications.sql
  ${CMAKE_SOURCE_DIR}/schemas/sql/006_alert_batches.sql)
set(RXL_MIGRATIONS_CPP ${CMAKE_CURRENT_BINARY_DIR}/migrations_embedded.cpp)
add_custom_command(
  OUTPUT ${RXL_MIGRATIONS_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${RXL_MIGRATIONS_CPP} "-DINPUTS=${RXL_MIGRATIONS}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/store/embed_sql.cmake
  DEPENDS ${RXL_MIGRATIONS} ${CMAKE_CURRENT_SOURCE_DIR}/store/embed_sql.cmake
  COMMENT "Embedding SQL migrations"
  VERBATIM)  # keeps the ';' of the migration list inside one shell argument
rxl_module(rxl_store
  SOURCES store/store.cpp store/checkpoints.cpp store/history.cpp store/tokens.cpp store/verifications.cpp store/verify_reads.cpp store/verify_index.cpp store/event_query.cpp store/recall_reads.cpp store/audit_reads.cpp store/pg_text.cpp store/migrations.cpp ${RXL_MIGRATIONS_CPP}
  DEPENDS rxl_ledger PkgConfig::PQXX)
