// GS1 barcode data: the AI table, element strings, Digital Link URIs, scanner output and the pharmacy Scan.
//
// The AI table follows the GS1 General Specifications (as condensed in the GS1 Barcode Syntax Dictionary):
// each AI's value is a list of components, each numeric (N), CSET 82 (X), CSET 39 (Y) or CSET 64 (Z),
// of a fixed length ("N14") or up to a maximum ("X..20"); "[…]" marks an optional last component, and
// the words after a comma name content checks (check digit, date, …). "Predefined length" AIs (00, 01, 11,
// 17, 31nn, 41n, …) are the only ones that need no FNC1 after them.

#include "ledger/gs1/barcode.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>

#include <boost/url.hpp>

#include "ledger/gs1/identifiers.hpp"

namespace rxl::gs1 {
namespace {

constexpr char group_separator = '\x1d';  // ASCII GS: how scanners transmit FNC1
constexpr std::size_t gtin_digits = 14;

Error bad_scan(std::string detail) { return make_error(ErrorKind::invalid_input, "bad-scan", std::move(detail)); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool all_digits(std::string_view text) { return std::all_of(text.begin(), text.end(), is_digit); }
int number(std::string_view digits) {
    int value = 0;
    for (const char c : digits) value = value * 10 + (c - '0');
    return value;
}

// ---- The AI table --------------------------------------------------------------------------------------

struct AiEntry {
    std::string_view first;  // the AI, or the first of a range of AIs of the same length
    std::string_view last;
    bool predefined_length;
    std::string_view format;
    // GS1 Digital Link role: "" none, "-" primary key without qualifiers, else the qualifier sequences of
    // this primary key ("22,10,21|235": 22, 10, 21 in that order, each optional; or 235).
    std::string_view digital_link;
};

// clang-format off
constexpr std::array ai_table{
    AiEntry{"00", "00", true, "N18,csum", "-"},
    AiEntry{"01", "01", true, "N14,csum", "22,10,21|235"},
    AiEntry{"02", "02", true, "N14,csum", ""},
    AiEntry{"10", "10", false, "X..20", ""},
    AiEntry{"11", "13", true, "N6,yymmd0", ""},
    AiEntry{"15", "17", true, "N6,yymmd0", ""},
    AiEntry{"20", "20", true, "N2", ""},
    AiEntry{"21", "22", false, "X..20", ""},
    AiEntry{"235", "235", false, "X..28", ""},
    AiEntry{"240", "241", false, "X..30", ""},
    AiEntry{"242", "242", false, "N..6", ""},
    AiEntry{"243", "243", false, "X..20", ""},
    AiEntry{"250", "251", false, "X..30", ""},
    AiEntry{"253", "253", false, "N13,csum [X..17]", "-"},
    AiEntry{"254", "254", false, "X..20", ""},
    AiEntry{"255", "255", false, "N13,csum [N..12]", "-"},
    AiEntry{"30", "30", false, "N..8", ""},
    AiEntry{"3100", "3695", true, "N6", ""},  // narrowed by is_measure_ai
    AiEntry{"37", "37", false, "N..8", ""},
    AiEntry{"3900", "3909", false, "N..15", ""},
    AiEntry{"3910", "3919", false, "N3 N..15", ""},
    AiEntry{"3920", "3929", false, "N..15", ""},
    AiEntry{"3930", "3939", false, "N3 N..15", ""},
    AiEntry{"3940", "3943", false, "N4", ""},
    AiEntry{"3950", "3955", false, "N6", ""},
    AiEntry{"400", "400", false, "X..30", ""},
    AiEntry{"401", "401", false, "X..30", "-"},
    AiEntry{"402", "402", false, "N17,csum", "-"},
    AiEntry{"403", "403", false, "X..30", ""},
    AiEntry{"410", "413", true, "N13,csum", ""},
    AiEntry{"414", "414", true, "N13,csum", "254|7040"},
    AiEntry{"415", "415", true, "N13,csum", "8020"},
    AiEntry{"416", "416", true, "N13,csum", ""},
    AiEntry{"417", "417", true, "N13,csum", "7040"},
    AiEntry{"420", "420", false, "X..20", ""},
    AiEntry{"421", "421", false, "N3 X..9", ""},
    AiEntry{"422", "422", false, "N3", ""},
    AiEntry{"423", "423", false, "N..15,countries", ""},
    AiEntry{"424", "424", false, "N3", ""},
    AiEntry{"425", "425", false, "N..15,countries", ""},
    AiEntry{"426", "426", false, "N3", ""},
    AiEntry{"427", "427", false, "X..3", ""},
    AiEntry{"4300", "4301", false, "X..35", ""},
    AiEntry{"4302", "4306", false, "X..70", ""},
    AiEntry{"4307", "4307", false, "X2", ""},
    AiEntry{"4308", "4308", false, "X..30", ""},
    AiEntry{"4309", "4309", false, "N10 N10", ""},
    AiEntry{"4310", "4311", false, "X..35", ""},
    AiEntry{"4312", "4316", false, "X..70", ""},
    AiEntry{"4317", "4317", false, "X2", ""},
    AiEntry{"4318", "4318", false, "X..20", ""},
    AiEntry{"4319", "4319", false, "X..30", ""},
    AiEntry{"4320", "4320", false, "X..35", ""},
    AiEntry{"4321", "4323", false, "N1,yesno", ""},
    AiEntry{"4324", "4325", false, "N6,yymmd0 N4,hhmm", ""},
    AiEntry{"4326", "4326", false, "N6,yymmdd", ""},
    AiEntry{"4330", "4333", false, "N6 [X1],hyphen", ""},
    AiEntry{"7001", "7001", false, "N13", ""},
    AiEntry{"7002", "7002", false, "X..30", ""},
    AiEntry{"7003", "7003", false, "N6,yymmdd N4,hhmm", ""},
    AiEntry{"7004", "7004", false, "N..4", ""},
    AiEntry{"7005", "7005", false, "X..12", ""},
    AiEntry{"7006", "7006", false, "N6,yymmdd", ""},
    AiEntry{"7007", "7007", false, "N6,yymmdd [N6],yymmdd", ""},
    AiEntry{"7008", "7008", false, "X..3", ""},
    AiEntry{"7009", "7009", false, "X..10", ""},
    AiEntry{"7010", "7010", false, "X..2", ""},
    AiEntry{"7011", "7011", false, "N6,yymmdd [N4],hhmm", ""},
    AiEntry{"7020", "7022", false, "X..20", ""},
    AiEntry{"7023", "7023", false, "X..30", ""},
    AiEntry{"7030", "7039", false, "N3 X..27", ""},
    AiEntry{"7040", "7040", false, "N1 X1 X1 X1", ""},
    AiEntry{"710", "715", false, "X..20", ""},
    AiEntry{"7230", "7239", false, "X2 X..28", ""},
    AiEntry{"7240", "7240", false, "X..20", ""},
    AiEntry{"7241", "7241", false, "N2", ""},
    AiEntry{"7242", "7242", false, "X..25", ""},
    AiEntry{"8001", "8001", false, "N4,nonzero N5,nonzero N3,nonzero N1,winding N1", ""},
    AiEntry{"8002", "8002", false, "X..20", ""},
    AiEntry{"8003", "8003", false, "N1,zero N13,csum [X..16]", "-"},
    AiEntry{"8004", "8004", false, "X..30", "7040"},
    AiEntry{"8005", "8005", false, "N6", ""},
    AiEntry{"8006", "8006", false, "N14,csum N4,pieceoftotal", "22,10,21"},
    AiEntry{"8007", "8007", false, "X..34", ""},
    AiEntry{"8008", "8008", false, "N8,yymmddhh [N..4]", ""},
    AiEntry{"8009", "8009", false, "X..50", ""},
    AiEntry{"8010", "8010", false, "Y..30", "8011"},
    AiEntry{"8011", "8011", false, "N..12,nozeroprefix", ""},
    AiEntry{"8012", "8012", false, "X..20", ""},
    AiEntry{"8013", "8013", false, "X..25", "-"},
    AiEntry{"8017", "8018", false, "N18,csum", "8019"},
    AiEntry{"8019", "8019", false, "N..10", ""},
    AiEntry{"8020", "8020", false, "X..25", ""},
    AiEntry{"8026", "8026", false, "N14,csum N4,pieceoftotal", ""},
    AiEntry{"8030", "8030", false, "Z..90", ""},
    AiEntry{"8110", "8110", false, "X..70", ""},
    AiEntry{"8111", "8111", false, "N4", ""},
    AiEntry{"8112", "8112", false, "X..70", ""},
    AiEntry{"8200", "8200", false, "X..70", ""},
    AiEntry{"90", "90", false, "X..30", ""},
    AiEntry{"91", "99", false, "X..90", ""},
};
// clang-format on

// Trade measures 31nn–36nn: the third digit picks the unit (only some exist per family), the fourth is the
// position of the decimal point, 0 to 5.
bool is_measure_ai(std::string_view ai) {
    constexpr std::string_view highest_unit_digit = "697979";  // for 31, 32, 33, 34, 35, 36
    const auto family = static_cast<std::size_t>(ai[1] - '1');
    return ai[3] <= '5' && ai[2] <= highest_unit_digit[family];
}

const AiEntry* find_ai(std::string_view ai) {
    if (ai.size() < 2 || ai.size() > 4 || !all_digits(ai)) return nullptr;
    for (const auto& entry : ai_table) {
        if (entry.first.size() != ai.size() || ai < entry.first || ai > entry.last) continue;
        if (entry.first == "3100" && !is_measure_ai(ai)) return nullptr;
        return &entry;
    }
    return nullptr;
}

// The AI at the start of unbracketed data: GS1 AIs are prefix-free, so at most one length matches.
std::optional<std::size_t> ai_length_at(std::string_view data) {
    for (std::size_t length = 2; length <= 4 && length <= data.size(); ++length) {
        if (find_ai(data.substr(0, length))) return length;
    }
    return std::nullopt;
}

// ---- Value formats -------------------------------------------------------------------------------------

struct Component {
    char type = 'X';
    std::size_t length_min = 1;
    std::size_t length_max = 1;
    bool optional = false;
    std::string_view checks;  // comma-separated content checks
};

std::vector<Component> components_of(std::string_view format) {
    std::vector<Component> components;
    while (!format.empty()) {
        const auto end = std::min(format.find(' '), format.size());
        std::string_view token = format.substr(0, end);
        format.remove_prefix(std::min(end + 1, format.size()));
        Component component;
        component.optional = token.front() == '[';
        if (component.optional) token.remove_prefix(1);
        component.type = token.front();
        token.remove_prefix(1);
        const auto comma = std::min(token.find(','), token.size());
        if (comma < token.size()) component.checks = token.substr(comma + 1);
        std::string_view length = token.substr(0, comma);
        if (!length.empty() && length.back() == ']') length.remove_suffix(1);
        const bool variable = length.starts_with("..");
        component.length_max = static_cast<std::size_t>(number(variable ? length.substr(2) : length));
        component.length_min = variable ? 1 : component.length_max;
        components.push_back(component);
    }
    return components;
}

std::size_t predefined_value_length(const AiEntry& entry) {
    std::size_t length = 0;
    for (const auto& component : components_of(entry.format)) length += component.length_max;
    return length;
}

bool in_character_set(char type, char c) {
    switch (type) {
        case 'N': return is_digit(c);
        case 'X': return is_cset82(std::string_view(&c, 1));
        case 'Y': return is_digit(c) || is_upper(c) || c == '#' || c == '-' || c == '/';
        case 'Z': return is_digit(c) || is_upper(c) || is_lower(c) || c == '-' || c == '_' || c == '=';
    }
    return false;
}

std::string_view character_set_name(char type) {
    switch (type) {
        case 'N': return "digits";
        case 'X': return "GS1 CSET 82 characters";
        case 'Y': return "GS1 CSET 39 characters";
        case 'Z': return "GS1 CSET 64 characters";
    }
    return "valid characters";
}

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
    constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : days[static_cast<std::size_t>(month - 1)];
}

// YYMMDD; the century is taken as 20YY (see expiry_date_of). Day 00 is allowed only where GS1 allows it.
bool is_valid_date(std::string_view yymmdd, bool day_zero_allowed) {
    const int year = 2000 + number(yymmdd.substr(0, 2));
    const int month = number(yymmdd.substr(2, 2));
    const int day = number(yymmdd.substr(4, 2));
    if (month < 1 || month > 12) return false;
    if (day == 0) return day_zero_allowed;
    return day <= days_in_month(year, month);
}

bool passes_check(std::string_view check, std::string_view text) {
    if (check == "csum") return has_valid_check_digit(text, text.size());
    if (check == "yymmdd") return is_valid_date(text, false);
    if (check == "yymmd0") return is_valid_date(text, true);
    if (check == "yymmddhh") return is_valid_date(text.substr(0, 6), false) && number(text.substr(6, 2)) < 24;
    if (check == "hhmm") return number(text.substr(0, 2)) < 24 && number(text.substr(2, 2)) < 60;
    if (check == "zero") return text == "0";
    if (check == "nonzero") return !std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
    if (check == "winding") return text == "0" || text == "1" || text == "9";
    if (check == "yesno") return text == "0" || text == "1";
    if (check == "hyphen") return text == "-";
    if (check == "countries") return text.size() % 3 == 0;
    if (check == "nozeroprefix") return text == "0" || !text.starts_with('0');
    if (check == "pieceoftotal") {
        const int piece = number(text.substr(0, 2));
        const int total = number(text.substr(2, 2));
        return piece >= 1 && total >= 1 && piece <= total;
    }
    return true;  // checks we do not implement (listed in barcode.hpp) accept
}

std::string_view check_description(std::string_view check) {
    if (check == "csum") return "has a wrong check digit";
    if (check == "yymmdd" || check == "yymmd0") return "is not a valid YYMMDD date";
    if (check == "yymmddhh") return "is not a valid YYMMDDHH date and hour";
    if (check == "hhmm") return "is not a valid HHMM time";
    return "has an invalid content";
}

std::string describe_character(char c) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == 0x1d) return "a GS separator";
    if (byte < 0x20 || byte >= 0x7f) return "the byte " + std::to_string(byte);
    return "'" + std::string(1, c) + "'";
}

std::string ai_label(std::string_view ai) { return "AI (" + std::string(ai) + ")"; }

Status check_component(std::string_view ai, const Component& component, std::string_view text) {
    for (const char c : text) {
        if (!in_character_set(component.type, c)) {
            return bad_scan(ai_label(ai) + " may only hold " + std::string(character_set_name(component.type)) +
                            ", not " + describe_character(c));
        }
    }
    std::string_view checks = component.checks;
    while (!checks.empty()) {
        const auto end = std::min(checks.find(','), checks.size());
        const auto check = checks.substr(0, end);
        checks.remove_prefix(std::min(end + 1, checks.size()));
        if (!passes_check(check, text)) {
            return bad_scan(ai_label(ai) + " value '" + std::string(text) + "' " + std::string(check_description(check)));
        }
    }
    return ok_status();
}

Status check_value_against(const AiEntry& entry, std::string_view ai, std::string_view value) {
    std::size_t position = 0;
    for (const auto& component : components_of(entry.format)) {
        const std::size_t remaining = value.size() - position;
        if (component.optional && remaining == 0) break;
        const std::size_t length = std::min(remaining, component.length_max);
        if (length < component.length_min) {
            if (value.empty()) return bad_scan(ai_label(ai) + " has no value");
            return bad_scan(ai_label(ai) + " value '" + std::string(value) + "' is too short");
        }
        if (auto status = check_component(ai, component, value.substr(position, length)); !status) return status;
        position += length;
    }
    if (position < value.size()) {
        return bad_scan(ai_label(ai) + " value '" + std::string(value) + "' is too long (" +
                        std::to_string(value.size()) + " characters, at most " + std::to_string(position) + ")");
    }
    return ok_status();
}

// ---- Element strings -----------------------------------------------------------------------------------

bool is_fnc1(char c) { return c == '^' || c == group_separator; }

// Unbracketed element strings after the leading FNC1: fixed-length values are cut by length, the others run
// to the next FNC1 (^ or GS) or the end. An FNC1 after a predefined-length value is tolerated.
Result<AiValues> parse_element_data(std::string_view data) {
    AiValues values;
    while (!data.empty()) {
        const auto ai_length = ai_length_at(data);
        if (!ai_length) {
            return bad_scan("unknown or invalid AI at '" + std::string(data.substr(0, 4)) + "'");
        }
        const std::string ai(data.substr(0, *ai_length));
        data.remove_prefix(*ai_length);
        const AiEntry& entry = *find_ai(ai);
        std::size_t length = 0;
        if (entry.predefined_length) {
            length = std::min(predefined_value_length(entry), data.size());
        } else {
            length = static_cast<std::size_t>(std::find_if(data.begin(), data.end(), is_fnc1) - data.begin());
        }
        std::string value(data.substr(0, length));
        data.remove_prefix(length);
        if (!data.empty() && is_fnc1(data.front())) data.remove_prefix(1);
        if (auto status = check_value_against(entry, ai, value); !status) return status.error();
        values.push_back({ai, std::move(value)});
    }
    return values;
}

// Element strings cut by FNC1 alone: a value that is too long most often swallowed the next element string.
Result<AiValues> parse_scanned_element_data(std::string_view data) {
    auto values = parse_element_data(data);
    if (!values && values.error().detail.find("too long") != std::string::npos) {
        return bad_scan(values.error().detail + ": a GS separator was probably lost after it (check the scanner's "
                        "GS / FNC1 setting); scan again or enter the fields.");
    }
    return values;
}

// ---- Digital Link --------------------------------------------------------------------------------------

// GS1 Digital Link 1.0 short names for the path; accepted as their AIs.
std::string canonical_path_ai(std::string_view segment) {
    constexpr std::array<std::pair<std::string_view, std::string_view>, 17> names{{
        {"gtin", "01"}, {"itip", "8006"}, {"cpid", "8010"}, {"gln", "414"}, {"party", "417"}, {"gsrnp", "8017"},
        {"gsrn", "8018"}, {"gcn", "255"}, {"sscc", "00"}, {"gdti", "253"}, {"ginc", "401"}, {"gsin", "402"},
        {"grai", "8003"}, {"giai", "8004"}, {"cpv", "22"}, {"lot", "10"}, {"ser", "21"},
    }};
    for (const auto& [name, ai] : names) {
        if (segment == name) return std::string(ai);
    }
    return std::string(segment);
}

bool is_primary_key(std::string_view ai) {
    const auto* entry = find_ai(ai);
    return entry && !entry->digital_link.empty();
}

bool is_qualifier(std::string_view ai) {
    for (const auto& entry : ai_table) {
        if (entry.digital_link.size() < 2) continue;
        std::string_view sequences = entry.digital_link;
        while (!sequences.empty()) {
            const auto end = std::min(sequences.find_first_of(",|"), sequences.size());
            if (sequences.substr(0, end) == ai) return true;
            sequences.remove_prefix(std::min(end + 1, sequences.size()));
        }
    }
    return false;
}

std::vector<std::vector<std::string>> qualifier_sequences(std::string_view key_ai) {
    std::vector<std::vector<std::string>> sequences(1);
    const std::string_view spec = find_ai(key_ai)->digital_link;
    if (spec == "-") return sequences;
    std::string current;
    for (const char c : spec) {
        if (c == ',' || c == '|') {
            sequences.back().push_back(current);
            current.clear();
            if (c == '|') sequences.emplace_back();
        } else {
            current.push_back(c);
        }
    }
    sequences.back().push_back(current);
    return sequences;
}

// True if `used` appear in `sequence` in the same order (each qualifier is optional).
bool is_ordered_subset(const std::vector<std::string>& used, const std::vector<std::string>& sequence) {
    std::size_t next = 0;
    for (const auto& ai : used) {
        while (next < sequence.size() && sequence[next] != ai) ++next;
        if (next == sequence.size()) return false;
        ++next;
    }
    return true;
}

// The qualifiers a query may not carry: those of every qualifier sequence the path is compatible with.
Result<std::set<std::string>> path_only_qualifiers(const AiValues& path) {
    std::vector<std::string> used;
    for (std::size_t i = 1; i < path.size(); ++i) used.push_back(path[i].ai);
    std::set<std::string> reserved;
    bool compatible = false;
    for (const auto& sequence : qualifier_sequences(path.front().ai)) {
        if (!is_ordered_subset(used, sequence)) continue;
        compatible = true;
        reserved.insert(sequence.begin(), sequence.end());
    }
    if (!compatible) return bad_scan("Digital Link: the path qualifiers are not allowed after AI (" + path.front().ai + ") in this order");
    return reserved;
}

std::string padded_gtin_value(std::string_view ai, std::string value) {
    const bool short_gtin = value.size() == 8 || value.size() == 12 || value.size() == 13;
    if (ai == "01" && short_gtin && all_digits(value)) value.insert(0, gtin_digits - value.size(), '0');
    return value;
}

// Walks the path from its end: (AI, value) pairs of qualifiers, up to the rightmost primary key; what is
// left of it is the resolver's own path and is ignored.
Result<AiValues> digital_link_path_ais(const std::vector<std::string>& segments) {
    AiValues reversed;
    for (std::size_t end = segments.size(); end >= 2; end -= 2) {
        const std::string ai = canonical_path_ai(segments[end - 2]);
        const bool primary = is_primary_key(ai);
        if (!primary && !is_qualifier(ai)) break;
        reversed.push_back({ai, padded_gtin_value(ai, segments[end - 1])});
        if (primary) {
            std::reverse(reversed.begin(), reversed.end());
            return reversed;
        }
    }
    return bad_scan("Digital Link: the path has no GS1 primary key such as /01/{GTIN} or /00/{SSCC}");
}

bool has_digital_link_scheme(std::string_view uri) {
    for (const std::string_view scheme : {"http://", "https://", "HTTP://", "HTTPS://"}) {
        if (uri.starts_with(scheme)) return true;
    }
    return false;
}

Status check_digital_link_host(const boost::urls::url_view& url) {
    const auto host = url.encoded_host();
    if (host.empty()) return bad_scan("Digital Link: the URI has no host");
    if (url.host_type() != boost::urls::host_type::name) return ok_status();
    const bool plain = std::all_of(host.begin(), host.end(), [](char c) {
        return is_digit(c) || is_upper(c) || is_lower(c) || c == '-' || c == '.';
    });
    if (!plain) return bad_scan("Digital Link: the host name has invalid characters");
    return ok_status();
}

Status add_query_ais(const boost::urls::url_view& url, const std::set<std::string>& reserved, AiValues& values) {
    // Boost.URL 1.81 miscounts the parameters of an empty query followed by a fragment ("…?#") and then
    // reads past the end (boostorg/url#864, found by scripts/fuzz). An empty query holds no AI anyway.
    if (url.encoded_query().empty()) return ok_status();
    for (const auto param : url.encoded_params()) {
        if (!param.has_value) continue;  // "singleton" flags and empty "&&" carry no AI
        const std::string key = param.key.decode();
        if (key.empty() || !all_digits(key)) continue;  // linkType, context, …: not AIs
        const auto* entry = find_ai(key);
        if (!entry) return bad_scan("Digital Link: the query names an unknown AI (" + key + ")");
        if (reserved.count(key)) return bad_scan("Digital Link: AI (" + key + ") belongs in the path, not the query");
        // In a query '+' stands for a space (HTML form encoding); in the path it is a '+'.
        std::string value = padded_gtin_value(key, param.value.decode(boost::urls::encoding_opts(true, false, false)));
        if (auto status = check_value_against(*entry, key, value); !status) return status;
        values.push_back({key, std::move(value)});
    }
    return ok_status();
}

Status check_no_repeated_ai(const AiValues& values) {
    std::set<std::string> seen;
    for (const auto& value : values) {
        if (!seen.insert(value.ai).second) return bad_scan(ai_label(value.ai) + " appears more than once");
    }
    return ok_status();
}

// ---- Scanner output ------------------------------------------------------------------------------------

// Plain data in the vectors' notation: a literal caret is written \^ (a bare ^ would mean FNC1).
std::string escaped_plain_data(std::string_view data) {
    std::string text;
    for (const char c : data) {
        if (c == '^') text.push_back('\\');
        text.push_back(c);
    }
    return text;
}

std::string_view gs1_symbology_name(std::string_view code) {
    if (code == "d2") return "DM";
    if (code == "Q3") return "QR";
    if (code == "J1") return "DotCode";
    if (code == "e0") return "DataBarExpanded";
    if (code == "C1") return "GS1_128_CCA";
    return {};
}

std::string_view plain_symbology_name(std::string_view code) {
    if (code == "d1") return "DM";
    if (code == "Q1") return "QR";
    if (code == "J0") return "DotCode";
    return {};
}

Result<ScanData> decode_gs1_symbol(std::string_view name, std::string_view data) {
    if (data.empty()) return bad_scan("the " + std::string(name) + " symbol carries no data");
    auto values = parse_scanned_element_data(data);
    if (!values) return values.error();
    if (auto status = check_no_repeated_ai(*values); !status) return status.error();
    std::string text = to_element_string(*values);
    return ScanData{std::string(name), true, std::move(*values), std::move(text)};
}

Result<ScanData> decode_plain_symbol(std::string_view name, std::string_view data) {
    ScanData decoded{std::string(name), false, {}, escaped_plain_data(data)};
    if (has_digital_link_scheme(data)) {
        auto values = parse_digital_link_uri(data);
        if (!values) return values.error();
        decoded.gs1 = true;
        decoded.ais = std::move(*values);
    }
    return decoded;
}

// EAN-13 / EAN-8 carry a bare GTIN; a GS1 composite may follow, written "|]e0…" in our notation.
Result<ScanData> decode_ean_symbol(std::string_view name, std::size_t digits, std::string_view data) {
    const auto bar = data.find("|]e0");
    const auto linear = data.substr(0, bar);
    if (linear.size() != digits || !has_valid_check_digit(linear, digits)) {
        return bad_scan("an " + std::string(name) + " must be " + std::to_string(digits) +
                        " digits with a valid check digit");
    }
    ScanData decoded{std::string(name), true, {{"01", padded_gtin_value("01", std::string(linear))}}, std::string(linear)};
    if (bar == std::string_view::npos) return decoded;
    auto composite = decode_gs1_symbol("composite", data.substr(bar + 4));
    if (!composite) return composite.error();
    decoded.ais.insert(decoded.ais.end(), composite->ais.begin(), composite->ais.end());
    decoded.text += "|" + composite->text;
    return decoded;
}

// ---- Keyboard-layout damage ----------------------------------------------------------------------------

constexpr std::string_view symbology_codes = "d2 Q3 J1 e0 C1 d1 Q1 J0 E0 E4";

bool is_symbology_code(std::string_view code) {
    return code.size() == 2 && symbology_codes.find(code) != std::string_view::npos && code.find(' ') == std::string_view::npos;
}

std::string swapped_case(std::string_view text) {
    std::string swapped(text);
    for (char& c : swapped) {
        if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
        else if (is_lower(c)) c = static_cast<char>(c - 'a' + 'A');
    }
    return swapped;
}

// Characters that a US-layout scanner produces on a computer set to another layout.
std::string layout_of_mangled_bracket(std::string_view prefix) {
    if (prefix == "+") return " (a German, Spanish or Italian keyboard layout turns ']' into '+'; it also swaps Y and Z)";
    if (prefix == "$") return " (a French keyboard layout turns ']' into '$' and digits into &\u00e9\"'(-\u00e8_\u00e7\u00e0)";
    if (prefix == "\u00a8" || prefix == "\u00e5") return " (a Nordic or Swiss keyboard layout turns ']' into '" + std::string(prefix) + "')";
    return {};
}

bool is_ascii_alphanumeric(char c) { return is_digit(c) || is_upper(c) || is_lower(c); }

// "]D2" (Caps Lock), "+d2" (']' typed on another layout), "d2…" (']' lost): the symbology identifier is the
// one part of a scan whose spelling we know in advance, so its damage betrays the keyboard.
std::string symbology_damage_hint(std::string_view input) {
    if (input.size() >= 3 && input[0] == ']') {
        const auto code = input.substr(1, 2);
        if (is_symbology_code(code) || !is_symbology_code(swapped_case(code))) return {};
        return "The symbology identifier arrived as ']" + std::string(code) + "' instead of ']" + swapped_case(code) +
               "': Caps Lock is probably on, which also inverts the case of lot and serial letters.";
    }
    for (std::size_t start = 0; start <= 2 && start + 2 <= input.size(); ++start) {
        const auto code = input.substr(start, 2);
        const auto prefix = input.substr(0, start);
        if (std::any_of(prefix.begin(), prefix.end(), is_ascii_alphanumeric)) break;
        if (!is_symbology_code(code) && !is_symbology_code(swapped_case(code))) continue;
        if (start == 0) {
            return "The scan starts with '" + std::string(code) + "': the ']' of the symbology identifier was "
                   "lost; check the scanner's keyboard-layout setting.";
        }
        return "The symbology identifier arrived as '" + std::string(input.substr(0, start + 2)) +
               "': the scanner's keyboard layout does not match the computer's" + layout_of_mangled_bracket(prefix) +
               ". Set both to the same layout and scan again.";
    }
    return {};
}

std::string character_damage_hint(std::string_view input) {
    for (const std::string_view german : {"\u00df", "\u00fc", "\u00f6", "\u00e4", "\u00dc", "\u00d6", "\u00c4"}) {
        if (input.find(german) != std::string_view::npos) {
            return "The scan contains '" + std::string(german) + "', which a German keyboard layout produces from a "
                   "US-layout scanner (it also swaps Y and Z): set the scanner and the computer to the same layout.";
        }
    }
    for (const std::string_view french : {"\u00e0", "\u00e9", "\u00e8", "\u00e7", "\u00a7"}) {
        if (input.find(french) != std::string_view::npos) {
            return "The scan contains '" + std::string(french) + "', which a French keyboard layout produces instead "
                   "of digits from a US-layout scanner: set the scanner and the computer to the same layout.";
        }
    }
    const bool non_ascii = std::any_of(input.begin(), input.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (non_ascii) return "The scan contains characters GS1 barcodes never hold: check the scanner's keyboard layout.";
    return {};
}

// A hint when the input shows keyboard-layout damage, or an empty string.
std::string keyboard_damage_hint(std::string_view input) {
    if (auto hint = symbology_damage_hint(input); !hint.empty()) return hint;
    return character_damage_hint(input);
}

// ---- The pharmacy Scan ---------------------------------------------------------------------------------

// GS1 would pick the century with a sliding window around today; an expiry on a pack in a pharmacy is in
// this century, and using 20YY keeps the function pure (no clock).
std::string expiry_date_of(std::string_view yymmdd) {
    const int year = 2000 + number(yymmdd.substr(0, 2));
    const int month = number(yymmdd.substr(2, 2));
    int day = number(yymmdd.substr(4, 2));
    if (day == 0) day = days_in_month(year, month);  // day 00: the last day of the month
    std::string date = std::to_string(year) + "-" + std::string(yymmdd.substr(2, 2)) + "-";
    if (day < 10) date.push_back('0');
    return date + std::to_string(day);
}

Result<Scan> scan_from_ais(AiValues values, bool gs_may_be_lost) {
    if (auto status = check_no_repeated_ai(values); !status) return status.error();
    if (gs_may_be_lost) {
        if (auto hint = suspicious_swallow(values); !hint.empty()) return bad_scan(hint);
    }
    Scan scan;
    scan.element_string = to_element_string(values);
    for (auto& [ai, value] : values) {
        if (ai == "01") scan.gtin = std::move(value);
        else if (ai == "21") scan.serial = std::move(value);
        else if (ai == "10") scan.lot = std::move(value);
        else if (ai == "17") scan.expiry = std::move(value);
        else scan.other.push_back({ai, std::move(value)});
    }
    if (scan.gtin.empty()) {
        const bool container = std::any_of(scan.other.begin(), scan.other.end(), [](const AiValue& v) { return v.ai == "00"; });
        return bad_scan(container ? "This is a case or pallet label (SSCC), not a pack: scan the pack's DataMatrix."
                                  : "The scan has no GTIN (AI 01): scan the pack's DataMatrix code.");
    }
    if (!scan.expiry.empty()) scan.expiry_date = expiry_date_of(scan.expiry);
    return scan;
}

Result<Scan> scan_from_scanner_output(std::string_view input) {
    auto decoded = decode_scan_data(input);
    if (!decoded) return decoded.error();
    if (!decoded->gs1) {
        return bad_scan("The " + decoded->symbology + " code holds no GS1 data (it reads '" + decoded->text +
                        "'): it is not a pack's serialisation code.");
    }
    const bool element_strings = !gs1_symbology_name(input.substr(1, 2)).empty();
    return scan_from_ais(std::move(decoded->ais), element_strings);
}

Result<Scan> parse_scan_form(std::string_view input) {
    if (input.starts_with(']')) return scan_from_scanner_output(input);
    if (input.starts_with('(')) {
        auto values = parse_bracketed(input);
        if (!values) return values.error();
        return scan_from_ais(std::move(*values), false);
    }
    if (has_digital_link_scheme(input)) {
        auto values = parse_digital_link_uri(input);
        if (!values) return values.error();
        return scan_from_ais(std::move(*values), false);
    }
    if (is_fnc1(input.front()) || is_digit(input.front())) {
        auto values = parse_scanned_element_data(is_fnc1(input.front()) ? input.substr(1) : input);
        if (!values) return values.error();
        return scan_from_ais(std::move(*values), true);
    }
    return bad_scan("The input is neither GS1 barcode data, a bracketed element string nor a GS1 Digital Link.");
}

std::string_view without_line_end(std::string_view input) {
    while (!input.empty() && (input.back() == '\r' || input.back() == '\n')) input.remove_suffix(1);
    return input;
}

}  // namespace

bool is_known_ai(std::string_view ai) { return find_ai(ai) != nullptr; }

Status check_ai_value(std::string_view ai, std::string_view value) {
    const auto* entry = find_ai(ai);
    if (!entry) return bad_scan(ai_label(ai) + " is not a known GS1 Application Identifier");
    return check_value_against(*entry, ai, value);
}

Result<AiValues> parse_bracketed(std::string_view text) {
    AiValues values;
    if (!text.starts_with('(')) return bad_scan("a bracketed element string starts with '(' and an AI");
    while (!text.empty()) {
        const auto close = text.find(')');
        if (!text.starts_with('(') || close == std::string_view::npos) return bad_scan("expected '(AI)' at '" + std::string(text) + "'");
        const std::string ai(text.substr(1, close - 1));
        if (!is_known_ai(ai)) return bad_scan(ai_label(ai) + " is not a known GS1 Application Identifier");
        text.remove_prefix(close + 1);
        std::string value;
        while (!text.empty() && text.front() != '(') {
            if (text.starts_with("\\(")) text.remove_prefix(1);  // an escaped bracket belongs to the value
            value.push_back(text.front());
            text.remove_prefix(1);
        }
        if (auto status = check_ai_value(ai, value); !status) return status.error();
        values.push_back({ai, std::move(value)});
    }
    return values;
}

Result<AiValues> parse_gs1_data(std::string_view text) {
    if (text.empty() || !is_fnc1(text.front())) return bad_scan("GS1 data must begin with FNC1 (^)");
    if (text.size() == 1) return bad_scan("GS1 data holds no element string");
    return parse_element_data(text.substr(1));
}

Result<AiValues> parse_digital_link_uri(std::string_view uri) {
    if (!has_digital_link_scheme(uri)) return bad_scan("a GS1 Digital Link starts with http:// or https://");
    const auto url = boost::urls::parse_uri(uri);
    if (!url) return bad_scan("Digital Link: not a valid URI (" + url.error().message() + ")");
    if (auto status = check_digital_link_host(*url); !status) return status.error();
    std::vector<std::string> segments;
    for (const auto segment : url->encoded_segments()) segments.push_back(segment.decode());
    auto values = digital_link_path_ais(segments);
    if (!values) return values.error();
    for (const auto& [ai, value] : *values) {
        if (auto status = check_ai_value(ai, value); !status) return status.error();
    }
    auto reserved = path_only_qualifiers(*values);
    if (!reserved) return reserved.error();
    if (auto status = add_query_ais(*url, *reserved, *values); !status) return status.error();
    if (auto status = check_no_repeated_ai(*values); !status) return status.error();
    return values;
}

std::string to_element_string(const AiValues& values) {
    std::string text = "^";
    for (std::size_t i = 0; i < values.size(); ++i) {
        text += values[i].ai + values[i].value;
        const auto* entry = find_ai(values[i].ai);
        const bool needs_separator = !entry || !entry->predefined_length;
        if (needs_separator && i + 1 < values.size()) text.push_back('^');
    }
    return text;
}

Result<ScanData> decode_scan_data(std::string_view scanner_output) {
    if (scanner_output.size() < 3 || scanner_output.front() != ']') {
        return bad_scan("scanner output must begin with a symbology identifier such as ]d2");
    }
    const auto code = scanner_output.substr(1, 2);
    const auto data = scanner_output.substr(3);
    if (const auto name = gs1_symbology_name(code); !name.empty()) return decode_gs1_symbol(name, data);
    if (const auto name = plain_symbology_name(code); !name.empty()) return decode_plain_symbol(name, data);
    if (code == "E0") return decode_ean_symbol("EAN13", 13, data);
    if (code == "E4") return decode_ean_symbol("EAN8", 8, data);
    return bad_scan("unknown symbology identifier ']" + std::string(code) + "'");
}

Result<Scan> parse_scan(std::string_view input) {
    input = without_line_end(input);
    if (input.empty()) return bad_scan("The scan is empty.");
    auto scan = parse_scan_form(input);
    if (scan) return scan;
    // A damaged keyboard layout explains the fault better than the parser's complaint about it.
    if (auto hint = keyboard_damage_hint(input); !hint.empty()) {
        return bad_scan(hint + " (" + scan.error().detail + ")");
    }
    return scan;
}

Result<Scan> scan_from_fields(const ScanFields& fields) {
    AiValues values{{"01", padded_gtin_value("01", fields.gtin)}};
    if (!fields.expiry.empty()) values.push_back({"17", fields.expiry});
    if (!fields.lot.empty()) values.push_back({"10", fields.lot});
    if (!fields.serial.empty()) values.push_back({"21", fields.serial});
    for (const auto& [ai, value] : values) {
        if (auto status = check_ai_value(ai, value); !status) return status.error();
    }
    return scan_from_ais(std::move(values), false);
}

std::string suspicious_swallow(const AiValues& values) {
    constexpr std::array<std::string_view, 4> pack_ais{"01", "10", "17", "21"};
    const auto present = [&](std::string_view ai) {
        return std::any_of(values.begin(), values.end(), [&](const AiValue& v) { return v.ai == ai; });
    };
    for (const auto& [ai, value] : values) {
        const auto* entry = find_ai(ai);
        if (!entry || entry->predefined_length) continue;
        for (std::size_t start = 1; start + 2 < value.size(); ++start) {
            const auto rest = std::string_view(value).substr(start);
            for (const auto hidden : pack_ais) {
                if (present(hidden) || !rest.starts_with(hidden) || !parse_element_data(rest)) continue;
                return "The value of " + ai_label(ai) + " '" + value + "' seems to end with " + ai_label(hidden) + " '" +
                       std::string(rest.substr(2)) + "': a GS separator was probably lost (check the scanner's "
                       "GS / FNC1 setting), so lot and serial cannot be trusted. Scan again or enter the fields.";
            }
        }
    }
    return {};
}

}  // namespace rxl::gs1
