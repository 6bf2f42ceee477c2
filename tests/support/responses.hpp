// Small helpers the integration tests share: the wall clock in milliseconds, and a response body as JSON.
#pragma once

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>

#include "server/http/client.hpp"

namespace rxl::test {

inline std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The response body, which must be a JSON object.
inline boost::json::object body_of(const http::ClientResponse& response) {
    auto value = boost::json::parse(response.body);
    REQUIRE(value.is_object());
    return value.as_object();
}

}  // namespace rxl::test
