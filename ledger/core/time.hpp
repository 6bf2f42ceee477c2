// Times as the API and the CLI print them.
#pragma once

#include <cstdint>
#include <string>

namespace rxl {

// Milliseconds since 1970 UTC as ISO 8601 with milliseconds: "2026-11-21T09:30:00.250Z".
std::string iso8601_utc(std::int64_t ms);

}  // namespace rxl
