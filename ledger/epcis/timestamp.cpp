#include "ledger/epcis/timestamp.hpp"

#include <array>
#include <cstdio>

namespace rxl::epcis {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads `count` digits at `position`; nullopt if any is not a digit.
std::optional<int> read_number(std::string_view text, std::size_t position, std::size_t count) {
    if (position + count > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = position; i < position + count; ++i) {
        if (!is_digit(text[i])) return std::nullopt;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
    static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && is_leap_year(year)) return 29;
    return days[static_cast<std::size_t>(month - 1)];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

struct CivilTime {
    std::int64_t year;
    unsigned month, day, hour, minute, second;
};

CivilTime civil_from_seconds(std::int64_t seconds) {
    std::int64_t days = seconds / 86400;
    std::int64_t rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        days -= 1;
    }
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned month_index = (5 * day_of_year + 2) / 153;
    const unsigned day = day_of_year - (153 * month_index + 2) / 5 + 1;
    const unsigned month = month_index < 10 ? month_index + 3 : month_index - 9;
    const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
    const auto seconds_of_day = static_cast<unsigned>(rest);
    return {year, month, day, seconds_of_day / 3600, seconds_of_day / 60 % 60, seconds_of_day % 60};
}

// The offset part ("Z", "+hh:mm", "-hh:mm") in seconds east of UTC.
std::optional<std::int64_t> parse_offset(std::string_view text) {
    if (text == "Z" || text == "z") return 0;
    if (!is_time_zone_offset(text)) return std::nullopt;
    const std::int64_t minutes = *read_number(text, 1, 2) * 60 + *read_number(text, 4, 2);
    return (text[0] == '-' ? -1 : 1) * minutes * 60;
}

// The fraction rounded half up to milliseconds: 0..1000 (1000 carries into the next second).
std::int64_t rounded_milliseconds(const std::string& fraction) {
    std::int64_t milliseconds = 0;
    for (std::size_t i = 0; i < 3; ++i) milliseconds = milliseconds * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
    if (fraction.size() > 3 && fraction[3] >= '5') milliseconds += 1;
    return milliseconds;
}

}  // namespace

bool is_time_zone_offset(std::string_view text) {
    if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return false;
    const auto hours = read_number(text, 1, 2);
    const auto minutes = read_number(text, 4, 2);
    return hours && minutes && *hours <= 14 && *minutes <= 59;
}

std::optional<std::string> canonical_xsd_date(std::string_view text) {
    const auto year = read_number(text, 0, 4);
    const auto month = read_number(text, 5, 2);
    const auto day = read_number(text, 8, 2);
    if (!year || !month || !day || text[4] != '-' || text[7] != '-') return std::nullopt;
    if (*year < 1 || *month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
    const std::string_view zone = text.substr(10);
    if (!zone.empty() && zone != "Z" && !is_time_zone_offset(zone)) return std::nullopt;
    return std::string(text.substr(0, 10));
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
    const auto year = read_number(text, 0, 4);
    const auto month = read_number(text, 5, 2);
    const auto day = read_number(text, 8, 2);
    const auto hour = read_number(text, 11, 2);
    const auto minute = read_number(text, 14, 2);
    const auto second = read_number(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
    if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
        text[16] != ':')
        return std::nullopt;
    if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month) || *hour > 23 ||
        *minute > 59 || *second > 60)
        return std::nullopt;
    Timestamp timestamp;
    std::size_t position = 19;
    if (position < text.size() && text[position] == '.') {
        ++position;
        while (position < text.size() && is_digit(text[position])) timestamp.fraction_digits += text[position++];
        if (timestamp.fraction_digits.empty()) return std::nullopt;
    }
    const auto offset_seconds = parse_offset(text.substr(position));
    if (!offset_seconds) return std::nullopt;
    const std::int64_t days = days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
    timestamp.utc_seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - *offset_seconds;
    return timestamp;
}

std::int64_t to_utc_milliseconds(const Timestamp& timestamp) {
    return timestamp.utc_seconds * 1000 + rounded_milliseconds(timestamp.fraction_digits);
}

std::string to_hash_time(const Timestamp& timestamp) {
    const std::int64_t total_ms = to_utc_milliseconds(timestamp);
    std::int64_t seconds = total_ms / 1000;
    std::int64_t milliseconds = total_ms % 1000;
    if (milliseconds < 0) {
        milliseconds += 1000;
        seconds -= 1;
    }
    const CivilTime civil = civil_from_seconds(seconds);
    std::array<char, 64> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%04lld-%02u-%02uT%02u:%02u:%02u.%03lldZ",
                  static_cast<long long>(civil.year), civil.month, civil.day, civil.hour, civil.minute,
                  civil.second, static_cast<long long>(milliseconds));
    return buffer.data();
}

}  // namespace rxl::epcis
