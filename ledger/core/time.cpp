#include "ledger/core/time.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

namespace rxl {

std::string iso8601_utc(std::int64_t ms) {
    // Floor division, so that an instant before 1970 keeps a fraction in 0..999.
    std::int64_t seconds = ms / 1000;
    std::int64_t fraction_ms = ms % 1000;
    if (fraction_ms < 0) {
        fraction_ms += 1000;
        seconds -= 1;
    }
    auto instant = std::chrono::sys_seconds(std::chrono::seconds(seconds));
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", instant, fraction_ms);
}

std::string utc_minute_text(std::int64_t ms) {
    const std::string iso = iso8601_utc(ms);  // YYYY-MM-DDTHH:MM:SS.mmmZ
    return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string utc_date_text(std::int64_t ms) { return iso8601_utc(ms).substr(0, 10); }

}  // namespace rxl
