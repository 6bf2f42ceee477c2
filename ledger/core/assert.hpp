// RXL_ASSERT: an invariant checked in every build, release included.
//
// A failed assertion means the program's own state is wrong (never bad input: that is a Result error),
// so it prints where and why and aborts rather than write anything more.
#pragma once

namespace rxl::detail {
[[noreturn]] void assertion_failed(const char* expression, const char* file, int line, const char* message);
}

#define RXL_ASSERT(condition) \
    ((condition) ? void(0) : ::rxl::detail::assertion_failed(#condition, __FILE__, __LINE__, ""))
#define RXL_ASSERT_MSG(condition, message) \
    ((condition) ? void(0) : ::rxl::detail::assertion_failed(#condition, __FILE__, __LINE__, (message)))
