#include "server/http/access_log.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <ctime>

namespace rxl::http {

std::string format_rfc3339_utc(std::chrono::system_clock::time_point time) {
    const auto since_epoch = time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    const std::time_t whole = static_cast<std::time_t>(seconds.count());
    std::tm utc{};
    gmtime_r(&whole, &utc);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                       utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

std::string format_access_log_line(const AccessLogEntry& entry) {
    boost::json::object line;
    line["time"] = format_rfc3339_utc(entry.time);
    line["remote"] = entry.remote;
    line["method"] = entry.method;
    line["target"] = entry.path;
    line["query_bytes"] = entry.query_bytes;
    line["route"] = entry.route;
    line["status"] = entry.status;
    line["bytes_out"] = entry.bytes_out;
    // Microsecond resolution is plenty and keeps lines short.
    line["duration_ms"] = static_cast<double>(static_cast<long long>(entry.duration_ms * 1000.0)) / 1000.0;
    return boost::json::serialize(line) + "\n";
}

void AccessLog::write(const AccessLogEntry& entry) {
    if (out_ == nullptr) return;
    const std::string line = format_access_log_line(entry);  // formatted outside the lock
    std::lock_guard lock(mutex_);
    *out_ << line;
}

}  // namespace rxl::http
