// libFuzzer target for the EPCIS capture document parser (ledger/epcis/document.hpp).
//
// Every byte string a client can POST to /v1/capture reaches parse_document, so it must never crash,
// leak, hang or hit undefined behaviour, whatever the input. Beyond "no crash" this target checks what
// callers rely on:
//   - a refusal is a value with one of the documented codes and kinds, and a sentence;
//   - an accepted document has at most limits::capture_events_max events, numbered 0…n-1 in order, each
//     with a well-formed hash id "ni:///sha-256;<64 lowercase hex>?ver=CBV2.0" and an event id;
//   - event_hash_ids, the unvalidated path used by tools, agrees with parse_document event by event: two
//     spellings of the same hash would put two different ids on the ledger for one event;
//   - every SGTIN and SSCC an accepted event names has the right length and a valid check digit, and a
//     serial of 1 to 20 characters (the ledger keys units on them).
// A broken invariant aborts through RXL_ASSERT, which libFuzzer reports as a crash with its input.
//
// Run: ./scripts/fuzz 60 epcis   (build: tests/fuzz/fuzz.cmake, RXL_FUZZ=ON, clang).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ledger/core/assert.hpp"
#include "ledger/core/limits.hpp"
#include "ledger/epcis/document.hpp"
#include "ledger/epcis/strict_json.hpp"
#include "ledger/gs1/identifiers.hpp"

namespace {

using namespace rxl;

// An independent mod-10 check (GS1 General Specifications 7.9.1), so that a bug in the parser's own
// check-digit code cannot hide itself.
bool has_good_check_digit(std::string_view digits, std::size_t length) {
    if (digits.size() != length) return false;
    int sum = 0;
    for (std::size_t i = 0; i < length; ++i) {
        const char c = digits[i];
        if (c < '0' || c > '9') return false;
        if (i + 1 == length) break;
        const int weight = ((length - 1 - i) % 2 == 1) ? 3 : 1;  // rightmost data digit weighs 3
        sum += (c - '0') * weight;
    }
    return (10 - sum % 10) % 10 == digits[length - 1] - '0';
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

void check_hash_id(std::string_view id) {
    constexpr std::string_view prefix = "ni:///sha-256;";
    constexpr std::string_view suffix = "?ver=CBV2.0";
    RXL_ASSERT_MSG(id.starts_with(prefix), "a hash id starts with ni:///sha-256;");
    RXL_ASSERT_MSG(id.ends_with(suffix), "a hash id ends with ?ver=CBV2.0");
    RXL_ASSERT_MSG(id.size() == prefix.size() + 64 + suffix.size(), "a hash id holds 64 hex digits");
    for (const char c : id.substr(prefix.size(), 64)) RXL_ASSERT_MSG(is_lower_hex(c), "a hash id is lowercase hex");
}

void check_identifier(const gs1::Identifier& identifier) {
    if (const auto* sgtin = std::get_if<gs1::Sgtin>(&identifier)) {
        RXL_ASSERT_MSG(has_good_check_digit(sgtin->gtin, 14), "an SGTIN has a 14-digit GTIN with a valid check digit");
        RXL_ASSERT_MSG(!sgtin->serial.empty() && sgtin->serial.size() <= limits::serial_chars_max,
                       "an SGTIN serial has 1 to 20 characters");
    } else if (const auto* sscc = std::get_if<gs1::Sscc>(&identifier)) {
        RXL_ASSERT_MSG(has_good_check_digit(sscc->sscc, 18), "an SSCC has 18 digits and a valid check digit");
    }
}

// The failures the strict JSON parser adds to a syntax error (ledger/epcis/strict_json.hpp).
bool is_strict_parser_code(std::string_view code) {
    return code == json_text::duplicate_key || code == json_text::nul_character || code == json_text::number_out_of_range ||
           code == json_text::string_too_long;
}

void check_refusal(const Error& error) {
    const bool known_invalid = error.code == "invalid-json" || error.code == "invalid-epcis" || error.code == "bad-identifier" ||
                               is_strict_parser_code(error.code);
    RXL_ASSERT_MSG((known_invalid && error.kind == ErrorKind::invalid_input) ||
                       (error.code == "too-many-events" && error.kind == ErrorKind::too_large),
                   "a refusal carries a documented code and kind (document.hpp)");
    RXL_ASSERT_MSG(!error.detail.empty(), "a refusal says what is wrong");
}

void check_accepted(const epcis::Document& document, std::string_view text) {
    RXL_ASSERT_MSG(document.events.size() <= limits::capture_events_max, "an accepted document respects capture_events_max");
    RXL_ASSERT_MSG(!document.schema_version.empty(), "an accepted document has a schemaVersion");
    auto ids = epcis::event_hash_ids(text);
    RXL_ASSERT_MSG(ids.ok(), "event_hash_ids accepts every document parse_document accepts");
    RXL_ASSERT_MSG(ids->size() == document.events.size(), "event_hash_ids sees the same events");
    for (std::size_t i = 0; i < document.events.size(); ++i) {
        const epcis::Event& event = document.events[i];
        RXL_ASSERT_MSG(event.index == i, "events are numbered in document order");
        check_hash_id(event.hash_id);
        RXL_ASSERT_MSG(event.hash_id == (*ids)[i], "parse_document and event_hash_ids agree on every hash id");
        RXL_ASSERT_MSG(!event.event_id.empty(), "every event has an id");
        RXL_ASSERT_MSG(!event.json.empty(), "every event keeps its JSON");
        for (const auto& epc : event.epc_list) check_identifier(epc);
        for (const auto& epc : event.child_epcs) check_identifier(epc);
        if (event.parent_id) check_identifier(*event.parent_id);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    auto document = epcis::parse_document(text);
    if (document) check_accepted(*document, text);
    else check_refusal(document.error());

    // The unvalidated path also takes EPCISQueryDocuments and documents the ledger refuses.
    auto ids = epcis::event_hash_ids(text);
    if (ids) {
        for (const auto& id : *ids) check_hash_id(id);
    } else {
        RXL_ASSERT_MSG(ids.error().code == "invalid-json" || ids.error().code == "invalid-epcis" ||
                           is_strict_parser_code(ids.error().code),
                       "event_hash_ids refuses only as invalid-json, invalid-epcis or a strict parser's code");
    }
    return 0;
}
