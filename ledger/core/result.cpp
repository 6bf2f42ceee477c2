#include "ledger/core/result.hpp"

#include <array>
#include <utility>

namespace rxl {

namespace {
constexpr std::array<std::pair<ErrorKind, std::string_view>, 11> kind_names{{
    {ErrorKind::invalid_input, "invalid_input"},
    {ErrorKind::unauthenticated, "unauthenticated"},
    {ErrorKind::forbidden, "forbidden"},
    {ErrorKind::not_found, "not_found"},
    {ErrorKind::method_not_allowed, "method_not_allowed"},
    {ErrorKind::conflict, "conflict"},
    {ErrorKind::too_large, "too_large"},
    {ErrorKind::unsupported_media_type, "unsupported_media_type"},
    {ErrorKind::rule_violation, "rule_violation"},
    {ErrorKind::unavailable, "unavailable"},
    {ErrorKind::internal, "internal"},
}};
}  // namespace

std::string_view to_string(ErrorKind kind) {
    for (const auto& [value, name] : kind_names) {
        if (value == kind) return name;
    }
    RXL_ASSERT_MSG(false, "unknown error kind");
    return {};
}

std::optional<ErrorKind> parse_error_kind(std::string_view text) {
    for (const auto& [value, name] : kind_names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

}  // namespace rxl
