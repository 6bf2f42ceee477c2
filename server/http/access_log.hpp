// The access log: one JSON object per line per answered request, written to a stream shared by all
// connections. The target's query string is never written (it can hold scanned codes); only its length.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <ostream>
#include <string>

namespace rxl::http {

struct AccessLogEntry {
    std::chrono::system_clock::time_point time;  // when the request had been read
    std::string remote;                          // "127.0.0.1:53412"
    std::string method;                          // empty when the request line could not be parsed
    std::string path;                            // the target without its query
    std::size_t query_bytes = 0;                 // length of the encoded query, without the '?'
    std::string route;                           // the route's name, or what the server answered instead
    unsigned status = 0;
    std::size_t bytes_out = 0;                   // response bytes written, headers included
    double duration_ms = 0;                      // request read → response written
};

// "2024-05-01T12:00:00.123Z"
std::string format_rfc3339_utc(std::chrono::system_clock::time_point time);

// {"time":…,"remote":…,"method":…,"target":…,"query_bytes":…,"route":…,"status":…,"bytes_out":…,
// "duration_ms":…} followed by '\n'.
std::string format_access_log_line(const AccessLogEntry& entry);

// Thread-safe writer; a null stream discards. Lines are not flushed one by one: give a stream with
// std::unitbuf when every line must reach the file at once.
class AccessLog {
public:
    explicit AccessLog(std::ostream* out) : out_(out) {}
    void write(const AccessLogEntry& entry);

private:
    std::mutex mutex_;
    std::ostream* out_;
};

}  // namespace rxl::http
