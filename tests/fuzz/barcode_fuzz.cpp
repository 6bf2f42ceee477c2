// libFuzzer target for the pharmacy scan parser, rxl::gs1::parse_scan (ledger/gs1/barcode.hpp).
//
// A scanner's output reaches parse_scan unfiltered through GET /v1/verify, so it must never crash, leak,
// hang or hit undefined behaviour on any bytes. Beyond "no crash" this target checks what verification
// relies on:
//   - a refusal is always "bad-scan" / invalid_input with a sentence (a scanning problem, never an alert);
//   - an accepted scan has a 14-digit GTIN with a valid check digit, a serial and a lot of at most 20
//     characters, and an expiry that is empty or YYMMDD with its date spelled YYYY-MM-DD;
//   - the normalised element string starts with FNC1 and reads back (parse_gs1_data) to exactly the AI
//     values of the scan: it is what the ledger records and compares, so it must lose nothing.
// A broken invariant aborts through RXL_ASSERT, which libFuzzer reports as a crash with its input.
//
// Run: ./scripts/fuzz 60 barcode   (build: tests/fuzz/fuzz.cmake, RXL_FUZZ=ON, clang).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/core/assert.hpp"
#include "ledger/core/limits.hpp"
#include "ledger/gs1/barcode.hpp"

namespace {

using namespace rxl;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// An independent mod-10 check (GS1 General Specifications 7.9.1), so that a bug in the parser's own
// check-digit code cannot hide itself.
bool has_good_check_digit(std::string_view digits, std::size_t length) {
    if (digits.size() != length || !std::all_of(digits.begin(), digits.end(), is_digit)) return false;
    int sum = 0;
    for (std::size_t i = 0; i + 1 < length; ++i) {
        const int weight = ((length - 1 - i) % 2 == 1) ? 3 : 1;  // rightmost data digit weighs 3
        sum += (digits[i] - '0') * weight;
    }
    return (10 - sum % 10) % 10 == digits[length - 1] - '0';
}

void check_expiry(const gs1::Scan& scan) {
    if (scan.expiry.empty()) {
        RXL_ASSERT_MSG(scan.expiry_date.empty(), "no expiry, no expiry date");
        return;
    }
    RXL_ASSERT_MSG(scan.expiry.size() == 6 && std::all_of(scan.expiry.begin(), scan.expiry.end(), is_digit),
                   "an expiry is YYMMDD");
    const std::string& date = scan.expiry_date;
    RXL_ASSERT_MSG(date.size() == 10 && date[4] == '-' && date[7] == '-', "an expiry date is YYYY-MM-DD");
    RXL_ASSERT_MSG(date.substr(2, 2) == scan.expiry.substr(0, 2) && date.substr(5, 2) == scan.expiry.substr(2, 2),
                   "the expiry date keeps the scanned year and month");
    const int month = (date[5] - '0') * 10 + (date[6] - '0');
    const int day = (date[8] - '0') * 10 + (date[9] - '0');
    RXL_ASSERT_MSG(month >= 1 && month <= 12 && day >= 1 && day <= 31, "an expiry date is a calendar date");
}

// The scan's AI values, in a canonical order, for comparing with what the element string reads back to.
gs1::AiValues sorted_values(gs1::AiValues values) {
    std::sort(values.begin(), values.end(),
              [](const gs1::AiValue& a, const gs1::AiValue& b) { return a.ai != b.ai ? a.ai < b.ai : a.value < b.value; });
    return values;
}

void check_accepted(const gs1::Scan& scan) {
    RXL_ASSERT_MSG(has_good_check_digit(scan.gtin, 14), "an accepted scan has a 14-digit GTIN with a valid check digit");
    RXL_ASSERT_MSG(scan.serial.size() <= limits::serial_chars_max, "a serial has at most 20 characters");
    RXL_ASSERT_MSG(scan.lot.size() <= limits::lot_chars_max, "a lot has at most 20 characters");
    check_expiry(scan);
    RXL_ASSERT_MSG(scan.element_string.starts_with('^'), "the element string starts with FNC1");

    gs1::AiValues expected = scan.other;
    expected.push_back({"01", scan.gtin});
    if (!scan.serial.empty()) expected.push_back({"21", scan.serial});
    if (!scan.lot.empty()) expected.push_back({"10", scan.lot});
    if (!scan.expiry.empty()) expected.push_back({"17", scan.expiry});
    auto read_back = gs1::parse_gs1_data(scan.element_string);
    RXL_ASSERT_MSG(read_back.ok(), "the normalised element string is valid GS1 data");
    RXL_ASSERT_MSG(sorted_values(*read_back) == sorted_values(expected),
                   "the normalised element string reads back to the scan's AI values");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto scan = gs1::parse_scan(input);
    if (scan) {
        check_accepted(*scan);
    } else {
        RXL_ASSERT_MSG(scan.error().code == "bad-scan" && scan.error().kind == ErrorKind::invalid_input,
                       "a refused scan is bad-scan / invalid_input");
        RXL_ASSERT_MSG(!scan.error().detail.empty(), "a refused scan says why");
    }
    return 0;
}
