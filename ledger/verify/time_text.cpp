#include "ledger/verify/time_text.hpp"

#include <fmt/format.h>

#include "ledger/epcis/timestamp.hpp"

namespace rxl::verify {

std::string iso_utc_milliseconds(std::int64_t ms) {
    // Floor division, so that an instant before 1970 keeps a fraction in 0..999.
    std::int64_t seconds = ms / 1000;
    std::int64_t fraction_ms = ms % 1000;
    if (fraction_ms < 0) {
        fraction_ms += 1000;
        seconds -= 1;
    }
    return epcis::to_hash_time(epcis::Timestamp{seconds, fmt::format("{:03}", fraction_ms)});
}

std::string utc_minute_text(std::int64_t ms) {
    const std::string iso = iso_utc_milliseconds(ms);  // YYYY-MM-DDTHH:MM:SS.mmmZ
    return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string utc_date_text(std::int64_t ms) { return iso_utc_milliseconds(ms).substr(0, 10); }

}  // namespace rxl::verify
