// Where tests find the shared conformance data and the source tree.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace rxl::test {

inline std::filesystem::path testdata_dir() { return RXL_TESTDATA_DIR; }
inline std::filesystem::path source_dir() { return RXL_SOURCE_DIR; }
inline std::filesystem::path binary_dir() { return RXL_BINARY_DIR; }

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace rxl::test
