// RFC 3339 timestamps as EPCIS uses them: eventTime, recordTime, declarationTime, sensor times.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rxl::epcis {

// An instant read from RFC 3339 text, kept exact to the digit so that rounding can be decided on the
// decimal fraction as written (CBV rounds half up on what the document says, not on a binary value).
struct Timestamp {
    std::int64_t utc_seconds = 0;   // seconds since 1970-01-01T00:00:00Z
    std::string fraction_digits;    // the digits after the decimal point, as written (may be empty)
};

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm)". Anything else (no offset, a date alone, a
// calendar-invalid date) is nullopt.
std::optional<Timestamp> parse_timestamp(std::string_view text);

// Milliseconds since 1970 in UTC, the fraction rounded half up to whole milliseconds.
std::int64_t to_utc_milliseconds(const Timestamp& timestamp);

// "YYYY-MM-DDTHH:MM:SS.mmmZ": UTC, exactly three fraction digits, rounded half up (CBV 2.0 hash rule).
std::string to_hash_time(const Timestamp& timestamp);

// An xsd:date as EPCIS uses it for cbvmda:itemExpirationDate: "YYYY-MM-DD", optionally followed by a
// time zone ("Z", "+hh:mm", "-hh:mm"), a real calendar date, a year of exactly four digits from 0001.
// Returns its canonical spelling "YYYY-MM-DD" (the time zone dropped: an expiry is a calendar day, and
// this is how PostgreSQL's date type gives it back), or nullopt. "12/31/2030", "2030-02-30" and
// "2030-12-31T00:00:00Z" are nullopt.
std::optional<std::string> canonical_xsd_date(std::string_view text);

// True for an EPCIS eventTimeZoneOffset: "+hh:mm" or "-hh:mm" with hh ≤ 14 and mm ≤ 59.
bool is_time_zone_offset(std::string_view text);

}  // namespace rxl::epcis
