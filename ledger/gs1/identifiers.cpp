// GS1 identification keys: check digits, EPC pure-identity URNs and GS1 Digital Link URIs.
//
// EPC URN grammar (GS1 EPC Tag Data Standard, section 6): the company prefix (6 to 12 digits) and the
// reference that follows it always fill a fixed number of digits between them (13 for a GTIN without its
// check digit, 17 for an SSCC, 12 for a GLN), which is how we rebuild the key and recompute its check digit.
// Serials, lots and SGLN extensions are "GS3A3" components: CSET 82 with some characters written %xx.

#include "ledger/gs1/identifiers.hpp"

#include "ledger/core/limits.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include <boost/url.hpp>

namespace rxl::gs1 {
namespace {

constexpr std::size_t gtin_digits = 14;
constexpr std::size_t sscc_digits = 18;
constexpr std::size_t gln_digits = 13;
constexpr std::size_t company_prefix_digits_min = 6;
constexpr std::size_t company_prefix_digits_max = 12;
// AI 21 (serial), AI 10 (lot) and AI 254 (GLN extension) all allow up to 20 characters.
constexpr std::size_t serial_chars_max = limits::serial_chars_max;
static_assert(limits::lot_chars_max == limits::serial_chars_max);

Error bad_identifier(std::string detail) {
    return make_error(ErrorKind::invalid_input, "bad-identifier", std::move(detail));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

char to_lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (to_lower_ascii(text[i]) != to_lower_ascii(prefix[i])) return false;
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// Splits on '.' into exactly `parts` pieces; the last piece keeps any further dots (serials may hold dots).
std::optional<std::vector<std::string_view>> split_dots(std::string_view text, std::size_t parts) {
    std::vector<std::string_view> pieces;
    while (pieces.size() + 1 < parts) {
        const auto dot = text.find('.');
        if (dot == std::string_view::npos) return std::nullopt;
        pieces.push_back(text.substr(0, dot));
        text.remove_prefix(dot + 1);
    }
    pieces.push_back(text);
    return pieces;
}

// Decodes the %xx escapes of an EPC URN component, then checks length and character set.
Result<std::string> decode_epc_component(std::string_view what, std::string_view text) {
    std::string decoded;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            decoded.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) {
            return bad_identifier(std::string(what) + " has a '%' not followed by two hex digits");
        }
        const int high = hex_value(text[i + 1]);
        const int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) {
            return bad_identifier(std::string(what) + " has a '%' not followed by two hex digits");
        }
        decoded.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    if (decoded.empty() || decoded.size() > serial_chars_max) {
        return bad_identifier(std::string(what) + " must have 1 to 20 characters");
    }
    if (!is_cset82(decoded)) {
        return bad_identifier(std::string(what) + " has a character outside GS1 CSET 82");
    }
    return decoded;
}

// Checks the company prefix and reference of an EPC URN: digits only, a prefix of 6 to 12 digits,
// and together exactly `total_digits` digits (the key without its check digit).
Status check_prefix_and_reference(std::string_view kind, std::string_view company_prefix,
                                  std::string_view reference, std::size_t total_digits) {
    if (!is_digits(company_prefix) || company_prefix.size() < company_prefix_digits_min ||
        company_prefix.size() > company_prefix_digits_max) {
        return bad_identifier(std::string(kind) + " URN: the company prefix must be 6 to 12 digits");
    }
    if (!reference.empty() && !is_digits(reference)) {
        return bad_identifier(std::string(kind) + " URN: the reference after the company prefix must be digits");
    }
    if (company_prefix.size() + reference.size() != total_digits) {
        return bad_identifier(std::string(kind) + " URN: company prefix and reference must have " +
                              std::to_string(total_digits) + " digits together");
    }
    return ok_status();
}

std::string with_check_digit(std::string digits) {
    digits.push_back(check_digit(digits));
    return digits;
}

// GTIN-14 = indicator digit (first digit of the item reference) + company prefix + rest of the reference.
std::string gtin_from_parts(std::string_view company_prefix, std::string_view item_reference) {
    std::string digits(item_reference.substr(0, 1));
    digits.append(company_prefix).append(item_reference.substr(1));
    return with_check_digit(std::move(digits));
}

Result<std::string> gtin_from_urn(std::string_view kind, std::string_view company_prefix,
                                  std::string_view item_reference) {
    if (item_reference.empty()) return bad_identifier(std::string(kind) + " URN: the item reference is missing");
    if (auto status = check_prefix_and_reference(kind, company_prefix, item_reference, gtin_digits - 1); !status) {
        return status.error();
    }
    return gtin_from_parts(company_prefix, item_reference);
}

Result<Identifier> parse_sgtin_urn(std::string_view body) {
    const auto parts = split_dots(body, 3);
    if (!parts) return bad_identifier("SGTIN URN must be urn:epc:id:sgtin:CompanyPrefix.ItemRef.Serial");
    auto gtin = gtin_from_urn("SGTIN", (*parts)[0], (*parts)[1]);
    if (!gtin) return gtin.error();
    auto serial = decode_epc_component("SGTIN serial", (*parts)[2]);
    if (!serial) return serial.error();
    return Identifier{Sgtin{std::move(*gtin), std::move(*serial)}};
}

Result<Identifier> parse_sscc_urn(std::string_view body) {
    const auto parts = split_dots(body, 2);
    if (!parts) return bad_identifier("SSCC URN must be urn:epc:id:sscc:CompanyPrefix.SerialRef");
    const auto company_prefix = (*parts)[0];
    const auto serial_reference = (*parts)[1];
    if (serial_reference.empty()) return bad_identifier("SSCC URN: the serial reference is missing");
    if (auto status = check_prefix_and_reference("SSCC", company_prefix, serial_reference, sscc_digits - 1);
        !status) {
        return status.error();
    }
    // SSCC-18 = extension digit (first digit of the serial reference) + company prefix + rest.
    std::string digits(serial_reference.substr(0, 1));
    digits.append(company_prefix).append(serial_reference.substr(1));
    return Identifier{Sscc{with_check_digit(std::move(digits))}};
}

Result<std::string> gln_from_urn(std::string_view kind, std::string_view company_prefix,
                                 std::string_view location_reference) {
    if (auto status = check_prefix_and_reference(kind, company_prefix, location_reference, gln_digits - 1);
        !status) {
        return status.error();
    }
    std::string digits(company_prefix);
    digits.append(location_reference);
    return with_check_digit(std::move(digits));
}

// Extension "0" means "no extension" (EPC TDS); storing it empty makes the URN and the Digital Link
// spellings of one location compare equal.
std::string without_zero_extension(std::string extension) { return extension == "0" ? std::string() : extension; }

Result<Identifier> parse_sgln_urn(std::string_view body) {
    const auto parts = split_dots(body, 3);
    if (!parts) return bad_identifier("SGLN URN must be urn:epc:id:sgln:CompanyPrefix.LocationRef.Extension");
    auto gln = gln_from_urn("SGLN", (*parts)[0], (*parts)[1]);
    if (!gln) return gln.error();
    auto extension = decode_epc_component("SGLN extension", (*parts)[2]);
    if (!extension) return extension.error();
    return Identifier{Sgln{std::move(*gln), without_zero_extension(std::move(*extension))}};
}

Result<Identifier> parse_pgln_urn(std::string_view body) {
    const auto parts = split_dots(body, 2);
    if (!parts) return bad_identifier("PGLN URN must be urn:epc:id:pgln:CompanyPrefix.PartyRef");
    auto gln = gln_from_urn("PGLN", (*parts)[0], (*parts)[1]);
    if (!gln) return gln.error();
    return Identifier{Pgln{std::move(*gln)}};
}

Result<Identifier> parse_lgtin_urn(std::string_view body) {
    const auto parts = split_dots(body, 3);
    if (!parts) return bad_identifier("LGTIN URN must be urn:epc:class:lgtin:CompanyPrefix.ItemRef.Lot");
    auto gtin = gtin_from_urn("LGTIN", (*parts)[0], (*parts)[1]);
    if (!gtin) return gtin.error();
    auto lot = decode_epc_component("LGTIN lot", (*parts)[2]);
    if (!lot) return lot.error();
    return Identifier{ProductClass{std::move(*gtin), std::move(*lot)}};
}

Result<Identifier> parse_sgtin_pattern_urn(std::string_view body) {
    const auto parts = split_dots(body, 3);
    if (!parts || (*parts)[2] != "*") {
        return bad_identifier("SGTIN pattern URN must be urn:epc:idpat:sgtin:CompanyPrefix.ItemRef.*");
    }
    auto gtin = gtin_from_urn("SGTIN pattern", (*parts)[0], (*parts)[1]);
    if (!gtin) return gtin.error();
    return Identifier{ProductClass{std::move(*gtin), {}}};
}

struct EpcScheme {
    std::string_view prefix;
    Result<Identifier> (*parse)(std::string_view body);
};

// The EPC schemes the ledger interprets; every other urn:epc: scheme is kept verbatim as Other.
constexpr std::array<EpcScheme, 6> epc_schemes{{
    {"urn:epc:id:sgtin:", parse_sgtin_urn},
    {"urn:epc:id:sscc:", parse_sscc_urn},
    {"urn:epc:id:sgln:", parse_sgln_urn},
    {"urn:epc:id:pgln:", parse_pgln_urn},
    {"urn:epc:class:lgtin:", parse_lgtin_urn},
    {"urn:epc:idpat:sgtin:", parse_sgtin_pattern_urn},
}};

// ---- GS1 Digital Link ----------------------------------------------------------------------------------

// Short names that GS1 Digital Link 1.0 allowed in place of the numeric AIs; still seen in the wild.
std::string_view canonical_ai(std::string_view segment) {
    if (segment == "gtin") return "01";
    if (segment == "sscc") return "00";
    if (segment == "gln") return "414";
    if (segment == "party") return "417";
    if (segment == "cpv") return "22";
    if (segment == "lot") return "10";
    if (segment == "ser") return "21";
    if (segment == "glnx") return "254";
    return segment;
}

bool is_primary_key_ai(std::string_view ai) { return ai == "01" || ai == "00" || ai == "414" || ai == "417"; }

// The key qualifiers each primary key may carry in the path.
bool is_qualifier_of(std::string_view key_ai, std::string_view ai) {
    if (key_ai == "01") return ai == "22" || ai == "10" || ai == "21";
    if (key_ai == "414") return ai == "254";
    return false;
}

struct DigitalLinkPath {
    std::string key_ai;
    std::string key;
    std::vector<std::pair<std::string, std::string>> qualifiers;  // (AI, percent-decoded value)

    std::optional<std::string> qualifier(std::string_view ai) const {
        for (const auto& [name, value] : qualifiers) {
            if (name == ai) return value;
        }
        return std::nullopt;
    }
};

// Finds the primary key in the decoded path segments: whatever comes before it is the resolver's own
// path prefix. Returns nullopt when the path carries no GS1 key at all (a plain web URI).
std::optional<std::size_t> find_primary_key(const std::vector<std::string>& segments) {
    for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
        if (is_primary_key_ai(canonical_ai(segments[i]))) return i;
    }
    return std::nullopt;
}

Result<DigitalLinkPath> split_digital_link_path(std::vector<std::string> segments, std::size_t key_index) {
    if (!segments.empty() && segments.back().empty()) segments.pop_back();  // a trailing '/'
    DigitalLinkPath path{std::string(canonical_ai(segments[key_index])), segments[key_index + 1], {}};
    for (std::size_t i = key_index + 2; i < segments.size(); i += 2) {
        const std::string ai(canonical_ai(segments[i]));
        if (!is_qualifier_of(path.key_ai, ai)) {
            return bad_identifier("Digital Link: path segment '" + segments[i] + "' is not a qualifier of AI " +
                                  path.key_ai);
        }
        if (i + 1 >= segments.size()) return bad_identifier("Digital Link: AI " + ai + " has no value");
        if (path.qualifier(ai)) return bad_identifier("Digital Link: AI " + ai + " appears twice");
        path.qualifiers.emplace_back(ai, segments[i + 1]);
    }
    return path;
}

// GTIN-8, -12 and -13 are GTIN-14 with leading zeros; the ledger always keys on 14 digits.
Result<std::string> padded_gtin(std::string_view text) {
    const bool length_ok = text.size() == 8 || text.size() == 12 || text.size() == 13 || text.size() == 14;
    if (!is_digits(text) || !length_ok) {
        return bad_identifier("Digital Link: the GTIN must be 8, 12, 13 or 14 digits");
    }
    std::string gtin(gtin_digits - text.size(), '0');
    gtin.append(text);
    if (!has_valid_check_digit(gtin, gtin_digits)) return bad_identifier("Digital Link: the GTIN check digit is wrong");
    return gtin;
}

Status check_text_value(std::string_view what, std::string_view value) {
    if (value.empty() || value.size() > serial_chars_max) {
        return bad_identifier(std::string(what) + " must have 1 to 20 characters");
    }
    if (!is_cset82(value)) return bad_identifier(std::string(what) + " has a character outside GS1 CSET 82");
    return ok_status();
}

Result<Identifier> identifier_from_gtin_path(const DigitalLinkPath& path) {
    auto gtin = padded_gtin(path.key);
    if (!gtin) return gtin.error();
    // The finest level wins: a serial makes it an instance even when a lot is also given.
    if (auto serial = path.qualifier("21")) {
        if (auto status = check_text_value("Digital Link serial", *serial); !status) return status.error();
        return Identifier{Sgtin{std::move(*gtin), std::move(*serial)}};
    }
    auto lot = path.qualifier("10").value_or("");
    if (path.qualifier("10")) {
        if (auto status = check_text_value("Digital Link lot", lot); !status) return status.error();
    }
    return Identifier{ProductClass{std::move(*gtin), std::move(lot)}};
}

Result<Identifier> identifier_from_gln_path(const DigitalLinkPath& path) {
    if (!has_valid_check_digit(path.key, gln_digits)) {
        return bad_identifier("Digital Link: the GLN must be 13 digits with a valid check digit");
    }
    if (path.key_ai == "417") return Identifier{Pgln{path.key}};
    auto extension = path.qualifier("254").value_or("");
    if (path.qualifier("254")) {
        if (auto status = check_text_value("Digital Link GLN extension", extension); !status) return status.error();
    }
    return Identifier{Sgln{path.key, without_zero_extension(std::move(extension))}};
}

Result<Identifier> identifier_from_path(const DigitalLinkPath& path) {
    if (path.key_ai == "01") return identifier_from_gtin_path(path);
    if (path.key_ai == "00") {
        if (!has_valid_check_digit(path.key, sscc_digits)) {
            return bad_identifier("Digital Link: the SSCC must be 18 digits with a valid check digit");
        }
        return Identifier{Sscc{path.key}};
    }
    return identifier_from_gln_path(path);
}

Result<Identifier> parse_digital_link(std::string_view text) {
    const auto uri = boost::urls::parse_uri(text);
    if (!uri) return bad_identifier("not a valid URI: " + uri.error().message());
    std::vector<std::string> segments;
    for (const auto segment : uri->encoded_segments()) segments.push_back(segment.decode());
    const auto key_index = find_primary_key(segments);
    if (!key_index) return Identifier{Other{std::string(text)}};
    auto path = split_digital_link_path(std::move(segments), *key_index);
    if (!path) return path.error();
    return identifier_from_path(*path);
}

// Characters of CSET 82 that a Digital Link path segment carries percent-encoded. This is the set the
// CBV 2.0 event hash reference implementation (RalphTro/epcis-event-hash-generator) produces: the EPC URN
// escapes (" % & / < > ?) plus ! ( ) * + , : — checked against the epclist_normalisation hash vector,
// whose serial 6789/&%"!?() must appear as 6789%2F%26%25%22%21%3F%28%29. ' ; = - . _ stay literal.
bool needs_percent_encoding(char c) {
    constexpr std::string_view encoded = "!\"#%&()*+,/:<>? ";
    return encoded.find(c) != std::string_view::npos || static_cast<unsigned char>(c) < 0x20 ||
           static_cast<unsigned char>(c) >= 0x7f;
}

std::string link(std::string_view path) {
    std::string text("https://id.gs1.org");
    text.append(path);
    return text;
}

}  // namespace

char check_digit(std::string_view digits_without_check) {
    RXL_ASSERT(is_digits(digits_without_check));
    // Weights alternate 3, 1, 3, … starting from the rightmost data digit.
    int sum = 0;
    int weight = 3;
    for (auto it = digits_without_check.rbegin(); it != digits_without_check.rend(); ++it) {
        sum += (*it - '0') * weight;
        weight = 4 - weight;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool has_valid_check_digit(std::string_view text, std::size_t length) {
    if (text.size() != length || length < 2 || !is_digits(text)) return false;
    return check_digit(text.substr(0, length - 1)) == text.back();
}

bool is_cset82(std::string_view text) {
    constexpr std::string_view punctuation = "!\"%&'()*+,-./:;<=>?_";
    return std::all_of(text.begin(), text.end(), [&](char c) {
        return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
               punctuation.find(c) != std::string_view::npos;
    });
}

std::string encode_digital_link_value(std::string_view value) {
    constexpr std::string_view hex = "0123456789ABCDEF";
    std::string encoded;
    for (const char c : value) {
        if (!needs_percent_encoding(c)) {
            encoded.push_back(c);
            continue;
        }
        const auto byte = static_cast<unsigned char>(c);
        encoded.push_back('%');
        encoded.push_back(hex[byte >> 4]);
        encoded.push_back(hex[byte & 0x0f]);
    }
    return encoded;
}

Result<Identifier> parse_identifier(std::string_view text) {
    for (const auto& scheme : epc_schemes) {
        if (starts_with_ignoring_case(text, scheme.prefix)) return scheme.parse(text.substr(scheme.prefix.size()));
    }
    if (starts_with_ignoring_case(text, "https://") || starts_with_ignoring_case(text, "http://")) {
        return parse_digital_link(text);
    }
    return Identifier{Other{std::string(text)}};
}

std::string to_digital_link(const Identifier& identifier) {
    struct Visitor {
        std::string operator()(const Sgtin& id) const {
            return link("/01/" + id.gtin + "/21/" + encode_digital_link_value(id.serial));
        }
        std::string operator()(const Sscc& id) const { return link("/00/" + id.sscc); }
        std::string operator()(const Sgln& id) const {
            if (id.extension.empty() || id.extension == "0") return link("/414/" + id.gln);
            return link("/414/" + id.gln + "/254/" + encode_digital_link_value(id.extension));
        }
        std::string operator()(const Pgln& id) const { return link("/417/" + id.gln); }
        std::string operator()(const ProductClass& id) const {
            if (id.lot.empty()) return link("/01/" + id.gtin);
            return link("/01/" + id.gtin + "/10/" + encode_digital_link_value(id.lot));
        }
        std::string operator()(const Other& id) const { return id.text; }
    };
    return std::visit(Visitor{}, identifier);
}

bool gtin_has_prefix(std::string_view gtin14, std::string_view company_prefix) {
    return gtin14.size() == gtin_digits && !company_prefix.empty() && gtin14.substr(1).starts_with(company_prefix);
}

bool sscc_has_prefix(std::string_view sscc18, std::string_view company_prefix) {
    return sscc18.size() == sscc_digits && !company_prefix.empty() && sscc18.substr(1).starts_with(company_prefix);
}

bool gln_has_prefix(std::string_view gln13, std::string_view company_prefix) {
    return gln13.size() == gln_digits && !company_prefix.empty() && gln13.starts_with(company_prefix);
}

}  // namespace rxl::gs1
