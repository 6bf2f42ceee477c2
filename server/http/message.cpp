// Request helpers, plain responses, and the one place where an error kind becomes an HTTP status and a
// problem+json document (RFC 9457).
#include "server/http/message.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace rxl::http {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// Problem types are stable URLs; the code is the error's stable slug.
constexpr std::string_view problem_type_prefix = "https://rxledger.org/problems/";

struct KindFacts {
    unsigned status;
    std::string_view title;  // RFC 9457: the same for every occurrence of the problem kind
};

// The one switch from error kind to HTTP status and problem title. No default: a new kind must be
// mapped here before the build passes (-Wswitch is an error).
KindFacts facts_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid_input: return {400, "The request is malformed or invalid."};
        case ErrorKind::unauthenticated: return {401, "Authentication is missing or failed."};
        case ErrorKind::forbidden: return {403, "The caller is not allowed to do this."};
        case ErrorKind::not_found: return {404, "The resource does not exist."};
        case ErrorKind::method_not_allowed: return {405, "The resource does not support this method."};
        case ErrorKind::conflict: return {409, "The request repeats something already on the ledger."};
        case ErrorKind::too_large: return {413, "The request exceeds a published limit."};
        case ErrorKind::unsupported_media_type: return {415, "The request body has a media type that is not accepted."};
        case ErrorKind::rule_violation: return {422, "The ledger's rules reject this request."};
        case ErrorKind::unavailable: return {503, "The node cannot serve this request right now."};
        case ErrorKind::internal: return {500, "The server failed unexpectedly."};
    }
    // Only reachable with a value outside the enumeration, which is a bug.
    detail::assertion_failed("known ErrorKind", __FILE__, __LINE__, "ErrorKind value out of range");
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view name) const {
    for (const auto& field : headers) {
        if (equals_ignoring_case(field.name, name)) return std::string_view(field.value);
    }
    return std::nullopt;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) return std::string_view(value);
    }
    return std::nullopt;
}

std::string_view Request::path_param(std::string_view name) const {
    for (const auto& [key, value] : path_params) {
        if (key == name) return value;
    }
    RXL_ASSERT_MSG(false, "path parameter not declared by the route");
    return {};
}

Response Response::json(unsigned status, std::string body) {
    return Response{status, "application/json", {}, std::move(body)};
}

Response Response::text(unsigned status, std::string content_type, std::string body) {
    return Response{status, std::move(content_type), {}, std::move(body)};
}

unsigned status_for(ErrorKind kind) { return facts_for(kind).status; }

Response problem(const Error& error) {
    const KindFacts facts = facts_for(error.kind);
    return problem(error, facts.status, facts.title);
}

Response problem(const Error& error, unsigned status, std::string_view title) {
    boost::json::object document;
    document["type"] = to_valid_utf8(std::string(problem_type_prefix) + error.code);
    document["title"] = to_valid_utf8(title);
    document["status"] = status;
    document["detail"] = to_valid_utf8(error.detail);
    if (!error.pointer.empty()) document["pointer"] = to_valid_utf8(error.pointer);
    return Response{status, "application/problem+json", {}, boost::json::serialize(document)};
}

namespace {

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0 if there is none
// (RFC 3629 §4's table of well-formed byte sequences).
std::size_t utf8_sequence_length(std::string_view text) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const auto continuation = [&](std::size_t i, unsigned char low, unsigned char high) {
        return i < text.size() && byte(i) >= low && byte(i) <= high;
    };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return continuation(1, 0x80, 0xBF) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;   // no overlong forms
        const unsigned char high = lead == 0xED ? 0x9F : 0xBF;  // no surrogates
        return continuation(1, low, high) && continuation(2, 0x80, 0xBF) ? 3 : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;   // no overlong forms
        const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;  // nothing past U+10FFFF
        return continuation(1, low, high) && continuation(2, 0x80, 0xBF) && continuation(3, 0x80, 0xBF) ? 4 : 0;
    }
    return 0;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
    while (!text.empty()) {
        const std::size_t length = utf8_sequence_length(text);
        if (length == 0) return false;
        text.remove_prefix(length);
    }
    return true;
}

std::string to_valid_utf8(std::string_view text) {
    if (is_valid_utf8(text)) return std::string(text);
    static constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
    std::string out;
    out.reserve(text.size() + 16);
    while (!text.empty()) {
        const std::size_t length = utf8_sequence_length(text);
        if (length == 0) {
            out += replacement;
            text.remove_prefix(1);
        } else {
            out.append(text.substr(0, length));
            text.remove_prefix(length);
        }
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    std::string out;
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') ||
                          c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += c;
        } else {
            static constexpr char hex[] = "0123456789ABCDEF";
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0x0f];
        }
    }
    return out;
}

}  // namespace rxl::http
