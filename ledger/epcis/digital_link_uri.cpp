// Digital Link URIs on any host rewritten to the canonical form the CBV 2.0 hash uses.
#include <algorithm>
#include <array>
#include <vector>

#include "ledger/epcis/digital_link.hpp"

namespace rxl::epcis {
namespace {

constexpr std::string_view canonical_prefix = "https://id.gs1.org/";

struct KeyName {
    std::string_view ai, short_name;
};
// The primary keys a Digital Link may carry, with their legacy short names.
constexpr std::array<KeyName, 14> primary_keys{{{"01", "gtin"},   {"8006", "itip"}, {"8010", "cpid"},
                                                 {"414", "gln"},   {"417", "party"}, {"8017", "gsrnp"},
                                                 {"8018", "gsrn"}, {"255", "gcn"},   {"00", "sscc"},
                                                 {"253", "gdti"},  {"401", "ginc"},  {"402", "gsin"},
                                                 {"8003", "grai"}, {"8004", "giai"}}};
// The order in which a foreign host is searched for the key to re-root on id.gs1.org.
constexpr std::array<std::string_view, 14> rehost_order{"00",  "01",   "253",  "255",  "401",  "402",  "414",
                                                        "417", "8003", "8004", "8006", "8010", "8017", "8018"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view text) { return std::all_of(text.begin(), text.end(), is_digit); }

std::string ai_of(std::string_view segment) {
    for (const auto& key : primary_keys)
        if (segment == key.ai || segment == key.short_name) return std::string(key.ai);
    if (segment == "cpv") return "22";
    if (segment == "lot") return "10";
    if (segment == "ser") return "21";
    return std::string(segment);
}

bool is_primary_ai(std::string_view segment) {
    return std::any_of(primary_keys.begin(), primary_keys.end(),
                       [&](const KeyName& key) { return segment == key.ai || segment == key.short_name; });
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = path.find('/', start);
        segments.emplace_back(path.substr(start, slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return segments;
}

// True if the segments from `key` on are: key, a value of at least four leading digits and one more
// character, and at most one qualifier pair, with an optional trailing slash.
bool is_key_tail(const std::vector<std::string>& segments, std::size_t key) {
    if (!is_primary_ai(segments[key]) || key + 1 >= segments.size()) return false;
    const std::string& value = segments[key + 1];
    if (value.size() < 5 || !all_digits(std::string_view(value).substr(0, 4))) return false;
    std::size_t rest = segments.size() - key - 2;
    if (rest > 0 && segments.back().empty()) --rest;
    if (rest == 0) return true;
    return rest == 2 && !segments[key + 2].empty() && !segments[key + 3].empty();
}

// Characters allowed in a serial, lot, extension or reference of a canonical Digital Link.
bool is_value_text(std::string_view text, std::size_t max_characters) {
    static constexpr std::string_view punctuation = "\"'-.;<=>?_";
    return text.size() <= max_characters && std::all_of(text.begin(), text.end(), [](char c) {
               return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      punctuation.find(c) != std::string_view::npos;
           });
}
bool is_cpi_text(std::string_view text) {
    return text.size() <= 30 && std::all_of(text.begin(), text.end(), [](char c) {
               return is_digit(c) || (c >= 'A' && c <= 'Z') || c == '#' || c == '-' || c == '/';
           });
}
bool digits_then_text(std::string_view text, std::size_t digits, std::size_t max_tail, bool tail_digits) {
    if (text.size() < digits || !all_digits(text.substr(0, digits))) return false;
    const std::string_view tail = text.substr(digits);
    return tail_digits ? tail.size() <= max_tail && all_digits(tail) : is_value_text(tail, max_tail);
}

// The syntax check the reference implementation applies to its result (its list of canonical forms).
bool is_canonical(std::string_view path) {
    const auto segments = split_path(path);
    const std::string& ai = segments[0];
    if (segments.size() < 2) return false;
    const std::string& value = segments[1];
    const bool key_only = segments.size() == 2;
    const bool pair = segments.size() == 4;
    const auto qualifier_is = [&](std::string_view code, std::size_t max) {
        return pair && segments[2] == code && is_value_text(segments[3], max);
    };
    if (ai == "00" || ai == "8017" || ai == "8018") return key_only && value.size() == 18 && all_digits(value);
    if (ai == "01")
        return value.size() == 14 && all_digits(value) &&
               (key_only || qualifier_is("21", 20) || qualifier_is("10", 20) || qualifier_is("235", 28));
    if (ai == "8006")
        return value.size() == 18 && all_digits(value) && (key_only || qualifier_is("21", 20) || qualifier_is("10", 20));
    if (ai == "414") return value.size() == 13 && all_digits(value) && (key_only || qualifier_is("254", 20));
    if (ai == "417") return key_only && value.size() == 13 && all_digits(value);
    if (ai == "402") return key_only && value.size() == 17 && all_digits(value);
    if (ai == "253") return key_only && digits_then_text(value, 13, 17, false);
    if (ai == "255") return key_only && digits_then_text(value, 13, 12, true);
    if (ai == "8003") return key_only && digits_then_text(value, 14, 16, false);
    if (ai == "401" || ai == "8004") return key_only && is_value_text(value, 30);
    if (ai == "8010") {
        const std::size_t at = path.find("/8011/");
        if (at == std::string_view::npos) return is_cpi_text(path.substr(5));
        const std::string_view serial = path.substr(at + 6);
        return is_cpi_text(path.substr(5, at - 5)) && serial.size() <= 12 && all_digits(serial);
    }
    return false;
}

std::string join(const std::vector<std::string>& segments, std::size_t from) {
    std::string out;
    for (std::size_t i = from; i < segments.size(); ++i) out += (i == from ? "" : "/") + segments[i];
    return out;
}

// The path from the primary key on, as it will sit under https://id.gs1.org/.
std::optional<std::string> key_path(std::string_view text) {
    if (text.find('#') != std::string_view::npos) return std::nullopt;
    const std::string_view without_query = text.substr(0, text.find('?'));
    auto segments = split_path(without_query);
    bool has_key = false;
    for (std::size_t i = 3; i < segments.size() && !has_key; ++i) has_key = is_key_tail(segments, i);
    if (!has_key) return std::nullopt;
    for (std::size_t i = 3; i < segments.size(); ++i) segments[i] = ai_of(segments[i]);
    if (without_query.starts_with(canonical_prefix) && is_primary_ai(segments[3])) return join(segments, 3);
    for (std::string_view ai : rehost_order) {
        const auto found = std::find(segments.begin() + 3, segments.end(), ai);
        if (found != segments.end()) return join(segments, static_cast<std::size_t>(found - segments.begin()));
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> hash_digital_link_from_web_uri(std::string_view text) {
    auto path = key_path(text);
    if (!path) return std::nullopt;
    auto segments = split_path(*path);
    if (!segments.empty() && segments.back().empty()) segments.pop_back();
    if (segments.size() >= 2 && segments[0] == "01" && all_digits(segments[1])) {
        const std::size_t length = segments[1].size();
        if (length == 13 || length == 12 || length == 8) segments[1].insert(0, 14 - length, '0');
    }
    // A consumer product variant (AI 22) is not part of the identity being hashed.
    if (segments.size() == 4 && (segments[0] == "01" || segments[0] == "8006") && segments[2] == "22")
        segments.resize(2);
    const std::string canonical = join(segments, 0);
    if (!is_canonical(canonical)) return std::nullopt;
    return std::string(canonical_prefix) + canonical;
}

}  // namespace rxl::epcis
