// Times as the API, the CLI and verification answers spell them. All UTC, from milliseconds since 1970.
#pragma once

#include <cstdint>
#include <string>

namespace rxl {

// "2025-03-01T14:02:03.123Z": ISO 8601 / RFC 3339 with exactly three fraction digits.
std::string iso8601_utc(std::int64_t ms);
// "2025-03-01 14:02 UTC": for sentences a person reads.
std::string utc_minute_text(std::int64_t ms);
// "2025-03-01".
std::string utc_date_text(std::int64_t ms);

}  // namespace rxl
