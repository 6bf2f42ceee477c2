// Builds the EPCIS 2.0 documents of a pharmaceutical supply chain: commissioning, packing, shipping,
// receiving, unpacking, dispensing. Used by `rxledger demo`, the integration tests and the benchmark.
#pragma once

#include <string>
#include <vector>

namespace rxl::cli {

struct Unit {
    std::string gtin;    // 14 digits
    std::string serial;
};

std::string sgtin_link(const Unit& unit);            // https://id.gs1.org/01/{gtin}/21/{serial}
std::string sscc_link(const std::string& sscc);      // https://id.gs1.org/00/{sscc}
std::string sgln_link(const std::string& gln);       // https://id.gs1.org/414/{gln}
std::string pgln_link(const std::string& gln);       // https://id.gs1.org/417/{gln}

// Serial numbers 1..count as units of one GTIN, with a prefix so runs do not collide.
std::vector<Unit> make_units(const std::string& gtin, const std::string& serial_prefix, std::size_t count);
// An SSCC-18 with a valid check digit: extension digit, company prefix, serial reference padded.
std::string make_sscc(const std::string& company_prefix, std::uint64_t serial_reference);
// A GLN-13 with a valid check digit from a company prefix and a location reference.
std::string make_gln(const std::string& company_prefix, std::uint64_t location_reference);
// A GTIN-14 with a valid check digit: indicator digit, company prefix, item reference.
std::string make_gtin(const std::string& company_prefix, std::uint64_t item_reference);

// eventTime in ISO 8601 UTC for milliseconds since 1970.
std::string iso_time(std::int64_t ms);

std::string commission_document(const std::vector<Unit>& units, const std::string& lot, const std::string& expiry,
                                 const std::string& location_gln, std::int64_t time_ms);
std::string pack_document(const std::string& parent_sscc, const std::vector<std::string>& child_links,
                          const std::string& location_gln, std::int64_t time_ms);
std::string unpack_document(const std::string& parent_sscc, const std::vector<std::string>& child_links,
                            const std::string& location_gln, std::int64_t time_ms);
std::string ship_document(const std::vector<std::string>& links, const std::string& from_gln,
                          const std::string& to_gln, std::int64_t time_ms);
std::string receive_document(const std::vector<std::string>& links, const std::string& at_gln, std::int64_t time_ms);
std::string dispense_document(const std::vector<std::string>& links, const std::string& at_gln, std::int64_t time_ms);

}  // namespace rxl::cli
