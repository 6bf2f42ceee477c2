# libFuzzer targets (RXL_FUZZ=ON, clang only): epcis_fuzz (EPCIS capture documents), barcode_fuzz
# (pharmacy scans) and request_fuzz (raw bytes over TLS to a whole node in the process: every layer from
# the HTTP server to the store). ./scripts/fuzz configures build/fuzz, builds them and runs them with the
# seed corpora of tests/fuzz/seeds/.
#
# The fuzz executables are compiled and linked with -fsanitize=fuzzer,address,undefined (libFuzzer's own
# main). The ledger libraries they link must be instrumented too, or libFuzzer sees no coverage and ASan
# no overflows inside them; they get -fsanitize=fuzzer-no-link,address,undefined (instrumentation without
# a second main). UBSan does not recover, so undefined behaviour is a crash with a reproducer, not a line
# in a log nobody reads.
if(NOT RXL_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "RXL_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()

set(RXL_FUZZ_SANITIZERS address,undefined)
set(RXL_FUZZ_COMMON_OPTIONS -fno-omit-frame-pointer -fno-sanitize-recover=all)

# The libraries the targets reach, instrumented from here so that RXL_FUZZ=ON alone is enough. They are
# defined in ledger/; target_compile_options works on targets of other directories.
# request_fuzz reaches all of them.
foreach(library rxl_core rxl_gs1 rxl_epcis rxl_merkle rxl_ledger rxl_verify rxl_store rxl_service rxl_http rxl_app)
  target_compile_options(${library} PRIVATE
    -fsanitize=fuzzer-no-link,${RXL_FUZZ_SANITIZERS} ${RXL_FUZZ_COMMON_OPTIONS})
endforeach()

# rxl_fuzz_target(NAME SOURCE LIBS …)
function(rxl_fuzz_target name source)
  add_executable(${name} ${source})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,${RXL_FUZZ_SANITIZERS} ${RXL_FUZZ_COMMON_OPTIONS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,${RXL_FUZZ_SANITIZERS})
  target_link_libraries(${name} PRIVATE ${ARGN} rxl_warnings)
endfunction()

rxl_fuzz_target(epcis_fuzz fuzz/epcis_fuzz.cpp rxl_epcis)
rxl_fuzz_target(barcode_fuzz fuzz/barcode_fuzz.cpp rxl_gs1)
# The node runs in the fuzzer's process (tests/fuzz/request_fuzz.cpp); rxl_test_node gives it a fresh
# database in the cluster RXL_TEST_DATABASE names, and a temporary folder.
rxl_fuzz_target(request_fuzz fuzz/request_fuzz.cpp rxl_app rxl_cli rxl_test_node)
