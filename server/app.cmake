# rxl_app: configuration, handlers and the route table; rxledgerd and the rxledger CLI.
set(RXL_OPENAPI_CPP ${CMAKE_CURRENT_BINARY_DIR}/openapi_embedded.cpp)
add_custom_command(
  OUTPUT ${RXL_OPENAPI_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${RXL_OPENAPI_CPP} -DINPUT=${CMAKE_SOURCE_DIR}/schemas/openapi.yaml
          -P ${CMAKE_CURRENT_SOURCE_DIR}/app/embed_openapi.cmake
  DEPENDS ${CMAKE_SOURCE_DIR}/schemas/openapi.yaml ${CMAKE_CURRENT_SOURCE_DIR}/app/embed_openapi.cmake
  COMMENT "Embedding the OpenAPI document")

# The web pages, embedded into the binary (server/app/web_files.hpp). One line per file; the folder is flat.
set(RXL_WEB_FILES
  index.html
  pharmacy.html
  regulator.html
  style.css
  bytes.js
  api.js
  page.js
  signing.js
  receipt.js
  show.js
  pharmacy.js
  regulator.js)
set(RXL_WEB_CPP ${CMAKE_CURRENT_BINARY_DIR}/web_embedded.cpp)
list(TRANSFORM RXL_WEB_FILES PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/web/ OUTPUT_VARIABLE RXL_WEB_PATHS)
string(JOIN "," RXL_WEB_FILE_LIST ${RXL_WEB_FILES})
add_custom_command(
  OUTPUT ${RXL_WEB_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${RXL_WEB_CPP} -DBASE=${CMAKE_CURRENT_SOURCE_DIR}/web "-DFILES=${RXL_WEB_FILE_LIST}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/app/embed_web.cmake
  DEPENDS ${RXL_WEB_PATHS} ${CMAKE_CURRENT_SOURCE_DIR}/app/embed_web.cmake
  COMMENT "Embedding the web pages"
  VERBATIM)

add_library(rxl_app STATIC
  app/config.cpp
  app/api_tokens.cpp
  app/token_cache.cpp
  app/tokens.cpp
  app/routes.cpp
  app/capture_handlers.cpp
  app/system_handlers.cpp
  app/ledger_handlers.cpp
  app/unit_handlers.cpp
  app/verify_handlers.cpp
  app/event_handlers.cpp
  app/recall_handlers.cpp app/alert_handlers.cpp
  consortium/etcd_client.cpp
  consortium/etcd_orderer.cpp
  consortium/consortium.cpp
  app/web_handlers.cpp
  ${RXL_OPENAPI_CPP}
  ${RXL_WEB_CPP})
target_link_libraries(rxl_app PUBLIC rxl_http rxl_service rxl_verify rxl_epcis Boost::json OpenSSL::Crypto PRIVATE rxl_warnings)

add_executable(rxledgerd rxledgerd.cpp)
target_link_libraries(rxledgerd PRIVATE rxl_app Boost::program_options rxl_warnings)

# The CLI's reusable parts (key files, signed posts, EPCIS document builders) are a library so the
# integration tests and the benchmark drive the node exactly as a user does.
add_library(rxl_cli STATIC
  cli/key_file.cpp
  cli/commands.cpp
  cli/dev_consortium.cpp
  cli/dev_cluster.cpp
  cli/dev_certificates.cpp
  cli/epcis_builder.cpp)
target_link_libraries(rxl_cli PUBLIC rxl_http rxl_ledger Boost::json OpenSSL::Crypto PRIVATE rxl_warnings)

add_executable(rxledger cli/main.cpp cli/audit_command.cpp cli/receipt_command.cpp cli/pharmacy_command.cpp cli/token_command.cpp cli/recall_command.cpp
  cli/bench_command.cpp)
# rxl_app for the API token format (server/app/api_tokens.hpp), which the node and the CLI share.
target_link_libraries(rxledger PRIVATE rxl_cli rxl_app rxl_service rxl_warnings)
