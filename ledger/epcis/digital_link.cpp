#include "ledger/epcis/digital_link.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace rxl::epcis {
namespace {

constexpr std::string_view canonical_host = "https://id.gs1.org";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }

bool all_digits(std::string_view text) { return std::all_of(text.begin(), text.end(), is_digit); }
bool is_digits(std::string_view text, std::size_t length) { return text.size() == length && all_digits(text); }

// GS1 mod-10 check digit over the data digits (weights 3, 1, 3, … from the right).
char check_digit(std::string_view digits) {
    int sum = 0;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        const int digit = digits[digits.size() - 1 - i] - '0';
        sum += (i % 2 == 0) ? digit * 3 : digit;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}
std::string with_check_digit(std::string_view digits) { return std::string(digits) + check_digit(digits); }

// Escapes the characters a Digital Link path segment may not carry raw; an EPC URN component keeps its
// own %-escapes, so '%' itself is left alone.
std::string percent_encode(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '!': out += "%21"; break;
            case '(': out += "%28"; break;
            case ')': out += "%29"; break;
            case '*': out += "%2A"; break;
            case '+': out += "%2B"; break;
            case ',': out += "%2C"; break;
            case ':': out += "%3A"; break;
            default: out += c;
        }
    }
    return out;
}

// True if the escape "%XY" is one the EPC URN grammar allows in a serial-like component.
bool is_allowed_escape(char high, char low) {
    switch (high) {
        case '2': return low == '1' || low == '2' || (low >= '5' && low <= '9') || (is_hex(low) && !is_digit(low));
        case '3': return is_hex(low);
        case '4': return is_hex(low) && low != '0';
        case '5': return is_digit(low) || low == 'A' || low == 'a' || low == 'F' || low == 'f';
        case '6': return is_hex(low) && low != '0';
        case '7': return is_digit(low) || low == 'A' || low == 'a';
        default: return false;
    }
}

// A serial, lot or asset reference in an EPC URN: 1..max_characters characters, an escape counting one.
bool is_urn_component(std::string_view text, std::size_t max_characters) {
    static constexpr std::string_view plain = "!')(*+,.:;=_-";
    std::size_t characters = 0;
    for (std::size_t i = 0; i < text.size(); ++characters) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size() || !is_allowed_escape(text[i + 1], text[i + 2])) return false;
            i += 3;
        } else if (is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                   plain.find(c) != std::string_view::npos) {
            ++i;
        } else {
            return false;
        }
    }
    return characters >= 1 && characters <= max_characters;
}

// Splits "cp.ref.rest" after the scheme: the company prefix (6..12 digits) and the reference whose
// length completes `total_digits`; `rest` is whatever follows the second dot (may hold more dots).
struct UrnParts {
    std::string_view company_prefix, reference, rest;
    bool has_rest = false;
};
std::optional<UrnParts> split_urn(std::string_view body, std::size_t total_digits) {
    const std::size_t dot = body.find('.');
    if (dot == std::string_view::npos || dot < 6 || dot > 12 || dot > total_digits) return std::nullopt;
    UrnParts parts;
    parts.company_prefix = body.substr(0, dot);
    const std::size_t reference_length = total_digits - dot;
    if (body.size() < dot + 1 + reference_length) return std::nullopt;
    parts.reference = body.substr(dot + 1, reference_length);
    if (!all_digits(parts.company_prefix) || !all_digits(parts.reference)) return std::nullopt;
    const std::size_t after = dot + 1 + reference_length;
    if (after < body.size()) {
        if (body[after] != '.') return std::nullopt;
        parts.rest = body.substr(after + 1);
        parts.has_rest = true;
    }
    return parts;
}

// GTIN-14 from company prefix and item reference (whose first digit is the indicator).
std::string gtin_of(const UrnParts& parts) {
    return with_check_digit(std::string(parts.reference.substr(0, 1)) + std::string(parts.company_prefix) +
                            std::string(parts.reference.substr(1)));
}
std::string gln_of(const UrnParts& parts) {
    return with_check_digit(std::string(parts.company_prefix) + std::string(parts.reference));
}

std::optional<std::string> sgtin_like(std::string_view body, std::string_view qualifier, std::size_t serial_max) {
    const auto parts = split_urn(body, 13);
    if (!parts || !parts->has_rest || !is_urn_component(parts->rest, serial_max)) return std::nullopt;
    return std::string(canonical_host) + "/01/" + gtin_of(*parts) + std::string(qualifier) +
           percent_encode(parts->rest);
}

std::optional<std::string> pure_number(std::string_view body, std::size_t total_digits, std::string_view ai,
                                       bool indicator_first) {
    const auto parts = split_urn(body, total_digits);
    if (!parts || parts->has_rest) return std::nullopt;
    const std::string digits = indicator_first ? gtin_of(*parts) : gln_of(*parts);
    return std::string(canonical_host) + "/" + std::string(ai) + "/" + digits;
}

std::optional<std::string> free_reference(std::string_view body, std::string_view ai) {
    const std::size_t dot = body.find('.');
    if (dot == std::string_view::npos || dot < 6 || dot > 12 || !all_digits(body.substr(0, dot))) return std::nullopt;
    const std::string_view reference = body.substr(dot + 1);
    if (!is_urn_component(reference, 30 - dot)) return std::nullopt;
    return std::string(canonical_host) + "/" + std::string(ai) + "/" + std::string(body.substr(0, dot)) +
           percent_encode(reference);
}

std::optional<std::string> sgln(std::string_view body) {
    const auto parts = split_urn(body, 12);
    if (!parts || !parts->has_rest || !is_urn_component(parts->rest, 20)) return std::nullopt;
    std::string link = std::string(canonical_host) + "/414/" + gln_of(*parts);
    if (parts->rest != "0") link += "/254/" + percent_encode(parts->rest);
    return link;
}

std::optional<std::string> grai_or_gdti(std::string_view body, std::string_view ai, bool leading_zero,
                                        std::size_t serial_max) {
    const auto parts = split_urn(body, 12);
    if (!parts || !parts->has_rest || !is_urn_component(parts->rest, serial_max)) return std::nullopt;
    const std::string key = with_check_digit((leading_zero ? "0" : "") + std::string(parts->company_prefix) +
                                             std::string(parts->reference));
    return std::string(canonical_host) + "/" + std::string(ai) + "/" + key + percent_encode(parts->rest);
}

std::optional<std::string> sgcn(std::string_view body) {
    const auto parts = split_urn(body, 12);
    if (!parts || !parts->has_rest || parts->rest.empty() || parts->rest.size() > 12 || !all_digits(parts->rest))
        return std::nullopt;
    return std::string(canonical_host) + "/255/" + gln_of(*parts) + std::string(parts->rest);
}

std::optional<std::string> cpi(std::string_view body, bool pattern) {
    const std::size_t dot = body.find('.');
    const std::size_t last_dot = body.rfind('.');
    if (dot == std::string_view::npos || dot == last_dot || dot < 6 || dot > 12 || !all_digits(body.substr(0, dot)))
        return std::nullopt;
    const std::string_view reference = body.substr(dot + 1, last_dot - dot - 1);
    const std::string_view serial = body.substr(last_dot + 1);
    if (reference.empty() || reference.size() > 30 - dot) return std::nullopt;
    if (pattern ? serial != "*" : (serial.empty() || serial.size() > 12 || !all_digits(serial))) return std::nullopt;
    std::string link = std::string(canonical_host) + "/8010/" + percent_encode(std::string(body.substr(0, dot)) +
                                                                               std::string(reference));
    if (!pattern) link += "/8011/" + std::string(serial);
    return link;
}

std::optional<std::string> itip(std::string_view body, bool pattern) {
    const auto parts = split_urn(body, 13);
    if (!parts || !parts->has_rest || parts->rest.size() < 6 || parts->rest[2] != '.' || parts->rest[5] != '.')
        return std::nullopt;
    const std::string_view piece = parts->rest.substr(0, 2);
    const std::string_view total = parts->rest.substr(3, 2);
    const std::string_view serial = parts->rest.substr(6);
    if (!is_digits(piece, 2) || !is_digits(total, 2)) return std::nullopt;
    std::string link = std::string(canonical_host) + "/8006/" + gtin_of(*parts) + std::string(piece) +
                       std::string(total);
    if (pattern) return serial == "*" ? std::optional(link) : std::nullopt;
    if (!is_urn_component(serial, 20)) return std::nullopt;
    return link + "/21/" + percent_encode(serial);
}

std::optional<std::string> pattern_key(std::string_view body, std::size_t total_digits, std::string_view ai,
                                       std::string_view lead) {
    if (!body.ends_with(".*")) return std::nullopt;
    const auto parts = split_urn(body.substr(0, body.size() - 2), total_digits);
    if (!parts || parts->has_rest) return std::nullopt;
    const std::string key = ai == "01" ? gtin_of(*parts)
                                       : with_check_digit(std::string(lead) + std::string(parts->company_prefix) +
                                                          std::string(parts->reference));
    return std::string(canonical_host) + "/" + std::string(ai) + "/" + key;
}

std::optional<std::string> from_epc_id(std::string_view scheme, std::string_view body) {
    if (scheme == "sgtin") return sgtin_like(body, "/21/", 20);
    if (scheme == "sscc") return pure_number(body, 17, "00", true);
    if (scheme == "sgln") return sgln(body);
    if (scheme == "grai") return grai_or_gdti(body, "8003", true, 16);
    if (scheme == "giai") return free_reference(body, "8004");
    if (scheme == "gsrn") return pure_number(body, 17, "8018", false);
    if (scheme == "gsrnp") return pure_number(body, 17, "8017", false);
    if (scheme == "gdti") return grai_or_gdti(body, "253", false, 19);
    if (scheme == "cpi") return cpi(body, false);
    if (scheme == "sgcn") return sgcn(body);
    if (scheme == "ginc") return free_reference(body, "401");
    if (scheme == "gsin") return pure_number(body, 16, "402", false);
    if (scheme == "itip") return itip(body, false);
    if (scheme == "upui") return sgtin_like(body, "/235/", 28);
    if (scheme == "pgln") return pure_number(body, 12, "417", false);
    return std::nullopt;
}

std::optional<std::string> from_epc_pattern(std::string_view scheme, std::string_view body) {
    if (scheme == "sgtin" || scheme == "upui") return pattern_key(body, 13, "01", "");
    if (scheme == "grai") return pattern_key(body, 12, "8003", "0");
    if (scheme == "gdti") return pattern_key(body, 12, "253", "");
    if (scheme == "sgcn") return pattern_key(body, 12, "255", "");
    if (scheme == "cpi") return cpi(body, true);
    if (scheme == "itip") return itip(body, true);
    return std::nullopt;
}

std::optional<std::string> from_urn(std::string_view text) {
    const auto scheme_and_body = [&](std::string_view prefix) -> std::optional<std::pair<std::string_view, std::string_view>> {
        if (!text.starts_with(prefix)) return std::nullopt;
        const std::string_view rest = text.substr(prefix.size());
        const std::size_t colon = rest.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        return std::pair{rest.substr(0, colon), rest.substr(colon + 1)};
    };
    if (const auto id = scheme_and_body("urn:epc:id:")) return from_epc_id(id->first, id->second);
    if (const auto pattern = scheme_and_body("urn:epc:idpat:")) return from_epc_pattern(pattern->first, pattern->second);
    if (const auto lgtin = scheme_and_body("urn:epc:class:"); lgtin && lgtin->first == "lgtin")
        return sgtin_like(lgtin->second, "/10/", 20);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> hash_digital_link(std::string_view text) {
    if (text.starts_with("urn:epc:")) return from_urn(text);
    if (text.starts_with("http://") || text.starts_with("https://")) return hash_digital_link_from_web_uri(text);
    return std::nullopt;
}

}  // namespace rxl::epcis
