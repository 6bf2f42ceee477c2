// Small helpers the integration tests share: the wall clock in milliseconds, a response body as JSON, and
// /readyz once a node has finished its start-up check, and a command that must fail.
#pragma once

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <thread>

#include "server/http/client.hpp"
#include "tests/support/test_node.hpp"

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

// /readyz once the start-up check is over ("writes" no longer "checking"), or after 20 s.
inline boost::json::object readyz_when_checked(http::HttpsClient& client) {
    boost::json::object ready;
    for (int attempt = 0; attempt < 200; ++attempt) {
        auto probe = client.request("GET", "/readyz");
        REQUIRE(probe.ok());
        ready = boost::json::parse(probe->body).as_object();
        if (ready.at("writes").as_string() != "checking") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return ready;
}

// Runs a command that must fail; returns what it printed.
inline std::string failing_command(const std::string& command) {
    try {
        run_command(command);
    } catch (const std::exception& error) {
        return error.what();
    }
    FAIL("expected to fail: " << command);
    return {};
}

}  // namespace rxl::test
