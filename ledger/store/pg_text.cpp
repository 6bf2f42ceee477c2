#include "ledger/store/pg_text.hpp"

#include "ledger/core/bytes.hpp"

namespace rxl::store {

std::string text_array(const std::vector<std::string>& values, bool null_if_empty) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out.push_back(',');
        if (null_if_empty && values[i].empty()) {
            out += "NULL";
            continue;
        }
        out.push_back('"');
        for (char c : values[i]) {
            if (c == '"' || c == '\\') out.push_back('\\');
            out.push_back(c);
        }
        out.push_back('"');
    }
    out.push_back('}');
    return out;
}

}  // namespace rxl::store
