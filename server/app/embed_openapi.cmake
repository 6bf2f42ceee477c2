file(READ "${INPUT}" text)
file(WRITE "${OUTPUT}" "// Generated from schemas/openapi.yaml. Do not edit.\n#include \"server/app/handlers.hpp\"\nnamespace rxl::app {\nconst char* openapi_yaml() {\n  return R\"rxlyaml(${text})rxlyaml\";\n}\n}  // namespace rxl::app\n")
