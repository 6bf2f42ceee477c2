# Writes OUTPUT: a C++ file defining rxl::store::embedded_migrations, one {version, name, sql} per INPUT.
# File names are NNN_name.sql; NNN is the version.
set(text "// Generated from schemas/sql by ledger/store/embed_sql.cmake. Do not edit.\n")
string(APPEND text "#include \"ledger/store/migrations.hpp\"\nnamespace rxl::store {\n")
string(APPEND text "const std::vector<Migration>& embedded_migrations() {\n  static const std::vector<Migration> all = {\n")
foreach(input IN LISTS INPUTS)
  get_filename_component(name "${input}" NAME_WE)
  string(REGEX MATCH "^[0-9]+" version "${name}")
  file(READ "${input}" sql)
  string(APPEND text "    {${version}, \"${name}\", R\"rxlsql(${sql})rxlsql\"},\n")
endforeach()
string(APPEND text "  };\n  return all;\n}\n}  // namespace rxl::store\n")
file(WRITE "${OUTPUT}" "${text}")
