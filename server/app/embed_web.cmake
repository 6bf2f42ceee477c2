# Writes OUTPUT, a C++ file that holds each file of FILES (paths relative to BASE, separated by ',') as a
# byte array, and web_files() listing them by name. Run by server/app.cmake at build time, so the binary
# serves its pages without reading anything from disk. Bytes, not a raw string: a file may hold any text.
string(REPLACE "," ";" files "${FILES}")
set(arrays "")
set(entries "")
set(index 0)
foreach(name IN LISTS files)
  file(READ "${BASE}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  if(hex_length EQUAL 0)
    message(FATAL_ERROR "web file ${name} is empty")
  endif()
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "constexpr unsigned char file_${index}[] = {${bytes}};\n")
  string(APPEND entries "    {\"${name}\", {reinterpret_cast<const char*>(file_${index}), sizeof file_${index}}},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from server/web by server/app/embed_web.cmake. Do not edit.
#include \"server/app/web_files.hpp\"
namespace rxl::app {
namespace {
${arrays}
const WebFile files[] = {
${entries}};
}  // namespace
std::span<const WebFile> web_files() { return files; }
}  // namespace rxl::app
")
# Only a changed file makes the compiler run again.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
