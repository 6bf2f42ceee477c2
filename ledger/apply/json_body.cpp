#include "ledger/apply/json_body.hpp"

#include <boost/json/value.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "ledger/core/limits.hpp"
#include "ledger/epcis/strict_json.hpp"
#include "ledger/gs1/identifiers.hpp"

namespace rxl::body {

namespace json = boost::json;

Error bad_body_error(std::string detail, std::string pointer) {
    return make_error(ErrorKind::invalid_input, std::string(bad_body), std::move(detail), std::move(pointer));
}

std::string pointer_to(std::string_view name) { return "/" + std::string(name); }

Result<json::object> parse_object(std::string_view text, std::initializer_list<std::string_view> members) {
    auto parsed = json_text::parse(text, bad_body);
    if (!parsed) return parsed.error();
    json::value value = std::move(parsed).value();
    if (!value.is_object()) return bad_body_error("the body must be a JSON object", "");
    for (const auto& member : value.as_object()) {
        if (std::find(members.begin(), members.end(), member.key()) == members.end()) {
            return bad_body_error(fmt::format("unknown member \"{}\"", std::string_view(member.key())),
                                  pointer_to(member.key()));
        }
    }
    return std::move(value.as_object());
}

Result<std::string> string_member(const json::object& object, std::string_view name, bool required,
                                  std::size_t chars_max) {
    const json::value* value = object.if_contains(name);
    if (value == nullptr) {
        if (required) return bad_body_error(fmt::format("{} is required", name), pointer_to(name));
        return std::string();
    }
    if (!value->is_string()) return bad_body_error(fmt::format("{} must be a string", name), pointer_to(name));
    std::string text(value->as_string());
    if (required && text.empty()) return bad_body_error(fmt::format("{} must not be empty", name), pointer_to(name));
    if (text.size() > chars_max) {
        return bad_body_error(fmt::format("{} is longer than {} characters", name, chars_max), pointer_to(name));
    }
    return text;
}

Result<std::string> gtin_member(const json::object& object, std::string_view name) {
    auto text = string_member(object, name, true, 14);
    if (!text) return text.error();
    if (!gs1::has_valid_check_digit(*text, 14)) {
        return bad_body_error(fmt::format("{} must be a GTIN-14: 14 digits with a valid check digit", name),
                              pointer_to(name));
    }
    return text;
}

Result<std::string> gln_member(const json::object& object, std::string_view name, bool required) {
    auto text = string_member(object, name, required, 13);
    if (!text) return text.error();
    if (!text->empty() && !gs1::has_valid_check_digit(*text, 13)) {
        return bad_body_error(fmt::format("{} must be a GLN: 13 digits with a valid check digit", name),
                              pointer_to(name));
    }
    return text;
}

Result<std::string> serial_or_lot_member(const json::object& object, std::string_view name, bool required) {
    auto text = string_member(object, name, required, limits::serial_chars_max);
    if (!text) return text.error();
    if (!gs1::is_cset82(*text)) {
        return bad_body_error(fmt::format("{} must be GS1 CSET 82 characters", name), pointer_to(name));
    }
    return text;
}

Result<std::int64_t> integer_member(const json::object& object, std::string_view name) {
    const json::value* value = object.if_contains(name);
    if (value == nullptr) return bad_body_error(fmt::format("{} is required", name), pointer_to(name));
    if (value->is_int64()) return value->as_int64();
    return bad_body_error(fmt::format("{} must be a whole number", name), pointer_to(name));
}

Status check_request_id(const json::object& object) {
    auto request_id = string_member(object, "request_id", false, limits::request_id_chars_max);
    if (!request_id) return request_id.error();
    return ok_status();
}

}  // namespace rxl::body
