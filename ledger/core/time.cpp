#include "ledger/core/time.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

namespace rxl {

std::string iso8601_utc(std::int64_t ms) {
    auto floor_ms = ms >= 0 ? ms / 1000 * 1000 : (ms - 999) / 1000 * 1000;
    auto seconds = std::chrono::sys_seconds(std::chrono::seconds(floor_ms / 1000));
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", seconds, ms - floor_ms);
}

}  // namespace rxl
