// Query parameters the paginated read endpoints share (/v1/recalls, /v1/recalls/{id}/units, /v1/alerts,
// /v1/events): `perPage` (1 to limits::read_page_items_max, default limits::read_page_items_default) and the opaque
// `next` token a previous page's Link header carried.
#pragma once

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/core/limits.hpp"
#include "ledger/core/result.hpp"
#include "server/http/message.hpp"

namespace rxl::app {

// A whole decimal number, or nullopt for anything else (signs, spaces, overflow, empty text).
inline std::optional<std::uint64_t> parse_whole_number(std::string_view text) {
    std::uint64_t value = 0;
    if (text.empty()) return std::nullopt;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// Error "bad-parameter" (400) for a perPage that is not 1 to read_page_items_max.
inline Result<std::size_t> per_page(const http::Request& request) {
    auto text = request.query_param("perPage");
    if (!text) return limits::read_page_items_default;
    auto value = parse_whole_number(*text);
    if (!value || *value == 0 || *value > limits::read_page_items_max) {
        return make_error(ErrorKind::invalid_input, "bad-parameter",
                          fmt::format("perPage must be a whole number from 1 to {}", limits::read_page_items_max), "/perPage");
    }
    return static_cast<std::size_t>(*value);
}

}  // namespace rxl::app
