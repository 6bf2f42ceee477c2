#include "ledger/core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace rxl::detail {
void assertion_failed(const char* expression, const char* file, int line, const char* message) {
    std::fprintf(stderr, "rxledger: invariant violated: %s at %s:%d %s\n", expression, file, line, message);
    std::fflush(stderr);
    std::abort();
}
}  // namespace rxl::detail
