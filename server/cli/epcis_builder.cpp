#include "server/cli/epcis_builder.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <ctime>

#include "ledger/gs1/identifiers.hpp"

namespace rxl::cli {

namespace json = boost::json;

std::string sgtin_link(const Unit& unit) { return fmt::format("https://id.gs1.org/01/{}/21/{}", unit.gtin, unit.serial); }
std::string sscc_link(const std::string& sscc) { return "https://id.gs1.org/00/" + sscc; }
std::string sgln_link(const std::string& gln) { return "https://id.gs1.org/414/" + gln; }
std::string pgln_link(const std::string& gln) { return "https://id.gs1.org/417/" + gln; }

std::vector<Unit> make_units(const std::string& gtin, const std::string& serial_prefix, std::size_t count) {
    std::vector<Unit> units;
    units.reserve(count);
    for (std::size_t i = 1; i <= count; ++i) units.push_back({gtin, fmt::format("{}{}", serial_prefix, i)});
    return units;
}

namespace {
std::string with_check_digit(std::string digits) {
    digits.push_back(gs1::check_digit(digits));
    return digits;
}
}  // namespace

std::string make_sscc(const std::string& company_prefix, std::uint64_t serial_reference) {
    std::size_t width = 16 - company_prefix.size();
    return with_check_digit(fmt::format("0{}{:0{}}", company_prefix, serial_reference, width));
}

std::string make_gln(const std::string& company_prefix, std::uint64_t location_reference) {
    std::size_t width = 12 - company_prefix.size();
    return with_check_digit(fmt::format("{}{:0{}}", company_prefix, location_reference, width));
}

std::string make_gtin(const std::string& company_prefix, std::uint64_t item_reference) {
    std::size_t width = 12 - company_prefix.size();
    return with_check_digit(fmt::format("0{}{:0{}}", company_prefix, item_reference, width));
}

std::string iso_time(std::int64_t ms) {
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                       utc.tm_hour, utc.tm_min, utc.tm_sec, ms % 1000);
}

namespace {

json::array to_array(const std::vector<std::string>& values) {
    json::array out;
    out.reserve(values.size());
    for (const auto& value : values) out.emplace_back(value);
    return out;
}

json::object base_event(const char* type, const char* action, const char* biz_step, const char* disposition,
                        const std::string& location_gln, std::int64_t time_ms) {
    return json::object{{"type", type},
                        {"eventTime", iso_time(time_ms)},
                        {"eventTimeZoneOffset", "+00:00"},
                        {"action", action},
                        {"bizStep", biz_step},
                        {"disposition", disposition},
                        {"readPoint", json::object{{"id", sgln_link(location_gln)}}},
                        {"bizLocation", json::object{{"id", sgln_link(location_gln)}}}};
}

std::string document(json::object event, std::int64_t time_ms) {
    json::object doc{{"@context", json::array{"https://ref.gs1.org/standards/epcis/epcis-context.jsonld"}},
                     {"type", "EPCISDocument"},
                     {"schemaVersion", "2.0"},
                     {"creationDate", iso_time(time_ms)},
                     {"epcisBody", json::object{{"eventList", json::array{std::move(event)}}}}};
    return json::serialize(doc);
}

}  // namespace

std::string commission_document(const std::vector<Unit>& units, const std::string& lot, const std::string& expiry,
                                 const std::string& location_gln, std::int64_t time_ms) {
    std::vector<std::string> links;
    links.reserve(units.size());
    for (const auto& unit : units) links.push_back(sgtin_link(unit));
    json::object event = base_event("ObjectEvent", "ADD", "commissioning", "active", location_gln, time_ms);
    event["epcList"] = to_array(links);
    event["ilmd"] = json::object{{"cbvmda:lotNumber", lot}, {"cbvmda:itemExpirationDate", expiry}};
    return document(std::move(event), time_ms);
}

std::string pack_document(const std::string& parent_sscc, const std::vector<std::string>& child_links,
                          const std::string& location_gln, std::int64_t time_ms) {
    json::object event = base_event("AggregationEvent", "ADD", "packing", "in_progress", location_gln, time_ms);
    event["parentID"] = sscc_link(parent_sscc);
    event["childEPCs"] = to_array(child_links);
    return document(std::move(event), time_ms);
}

std::string unpack_document(const std::string& parent_sscc, const std::vector<std::string>& child_links,
                            const std::string& location_gln, std::int64_t time_ms) {
    json::object event = base_event("AggregationEvent", "DELETE", "unpacking", "in_progress", location_gln, time_ms);
    event["parentID"] = sscc_link(parent_sscc);
    event["childEPCs"] = to_array(child_links);
    return document(std::move(event), time_ms);
}

std::string ship_document(const std::vector<std::string>& links, const std::string& from_gln,
                          const std::string& to_gln, std::int64_t time_ms) {
    json::object event = base_event("ObjectEvent", "OBSERVE", "shipping", "in_transit", from_gln, time_ms);
    event["epcList"] = to_array(links);
    event["sourceList"] = json::array{json::object{{"type", "owning_party"}, {"source", pgln_link(from_gln)}}};
    event["destinationList"] = json::array{json::object{{"type", "owning_party"}, {"destination", pgln_link(to_gln)}}};
    return document(std::move(event), time_ms);
}

std::string receive_document(const std::vector<std::string>& links, const std::string& at_gln, std::int64_t time_ms) {
    json::object event = base_event("ObjectEvent", "OBSERVE", "receiving", "in_progress", at_gln, time_ms);
    event["epcList"] = to_array(links);
    return document(std::move(event), time_ms);
}

std::string dispense_document(const std::vector<std::string>& links, const std::string& at_gln, std::int64_t time_ms) {
    json::object event = base_event("ObjectEvent", "OBSERVE", "dispensing", "dispensed", at_gln, time_ms);
    event["epcList"] = to_array(links);
    return document(std::move(event), time_ms);
}

}  // namespace rxl::cli
