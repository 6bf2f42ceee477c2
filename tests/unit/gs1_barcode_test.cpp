// The barcode / scan parser: the GS1 syntax vectors of shared/testdata/gs1, then what pharmacy scanners
// really send, including missing GS separators and keyboard-layout damage.

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/gs1/barcode.hpp"
#include "tests/support/testdata.hpp"

using namespace rxl;
using namespace rxl::gs1;

namespace {

constexpr std::string_view gtin = "09506000134352";  // the GS1 example GTIN, check digit valid
const std::string gs = "\x1d";

Scan accepted(std::string_view input) {
    auto result = parse_scan(input);
    INFO("input: ", std::string(input));
    if (!result) FAIL("refused: ", result.error().detail);
    return *result;
}

// The hint of a refused scan; fails the test if the scan was accepted.
std::string refused(std::string_view input) {
    auto result = parse_scan(input);
    INFO("input: ", std::string(input));
    if (result) FAIL("accepted as ", result->element_string);
    CHECK(result.error().code == "bad-scan");
    CHECK(result.error().kind == ErrorKind::invalid_input);
    return result.error().detail;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// ---- The conformance vectors ---------------------------------------------------------------------------

struct Vector {
    int line = 0;
    std::string suite;
    bool valid = false;
    std::string input;
    std::string expect;
    std::string symbology;
    std::string skip_reason;
};

std::string string_field(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// The extractor glued C comments ("//Comment") onto some Digital Link inputs and expectations; the URI
// starts at the last "http://" or "https://", the element string at the first '^'.
void recover_commented_digital_link(Vector& vector) {
    if (vector.input.starts_with("//")) {
        const auto text = lower(vector.input);
        const auto plain = text.rfind("http://");
        const auto secure = text.rfind("https://");
        // The later of the two, whichever exists.
        const auto http = plain == std::string::npos ? secure : secure == std::string::npos ? plain : std::max(plain, secure);
        if (http == std::string::npos || http < 2) {
            vector.skip_reason = "extraction artefact: only a comment survived, the URI is lost";
            return;
        }
        vector.input = vector.input.substr(http);
    }
    if (vector.expect.starts_with("//") && vector.valid) {
        const auto caret = vector.expect.find('^');
        if (caret == std::string::npos) vector.skip_reason = "extraction artefact: the expected element string is lost";
        else vector.expect = vector.expect.substr(caret);
    }
}

std::vector<Vector> load_vectors() {
    std::ifstream file(test::testdata_dir() / "gs1" / "gs1-syntax-vectors.jsonl");
    REQUIRE(file);
    std::vector<Vector> vectors;
    std::string line;
    for (int number = 1; std::getline(file, line); ++number) {
        const auto object = boost::json::parse(line).as_object();
        Vector vector{number, string_field(object, "suite"), object.at("valid").as_bool(), string_field(object, "input"),
                      string_field(object, "expect"), string_field(object, "symbology"), {}};
        if (vector.input == "inbuf") vector.skip_reason = "extraction artefact: placeholder variable name, not data";
        if (vector.suite == "digital_link" && vector.skip_reason.empty()) recover_commented_digital_link(vector);
        vectors.push_back(std::move(vector));
    }
    return vectors;
}

// The reference engine runs some inputs twice, with and without an option (permit unknown AIs, zero-pad
// short GTINs, accept Digital Link 1.0 short names). Such pairs contradict each other; we follow one
// behaviour (unknown AIs refused, GTINs padded, short names accepted) and skip both members of the pair.
void skip_contradictions(std::vector<Vector>& vectors) {
    std::map<std::pair<std::string, std::string>, std::set<bool>> outcomes;
    for (const auto& vector : vectors) {
        if (vector.skip_reason.empty()) outcomes[{vector.suite, vector.input}].insert(vector.valid);
    }
    for (auto& vector : vectors) {
        if (vector.skip_reason.empty() && outcomes[{vector.suite, vector.input}].size() == 2) {
            vector.skip_reason = "contradictory pair: the reference engine ran it with and without an option";
        }
    }
}

struct Outcome {
    bool ok = false;
    std::string text;
    std::string symbology;
    std::string error;
};

Outcome run(const Vector& vector) {
    const auto from_values = [](const Result<AiValues>& result) {
        return result ? Outcome{true, to_element_string(*result), {}, {}} : Outcome{false, {}, {}, result.error().detail};
    };
    if (vector.suite == "bracketed") return from_values(parse_bracketed(vector.input));
    if (vector.suite == "raw") return from_values(parse_gs1_data(vector.input));
    if (vector.suite == "digital_link") return from_values(parse_digital_link_uri(vector.input));
    const auto decoded = decode_scan_data(vector.input);
    if (!decoded) return {false, {}, {}, decoded.error().detail};
    return {true, decoded->text, decoded->symbology, {}};
}

bool passes(const Vector& vector, const Outcome& outcome) {
    if (!vector.valid) return !outcome.ok;
    if (!outcome.ok) return false;
    if (vector.suite == "raw") return true;  // the raw suite gives no expectation beyond validity
    if (vector.suite == "scan_data" && outcome.symbology != vector.symbology) return false;
    return outcome.text == vector.expect;
}

}  // namespace

TEST_CASE("GS1 syntax vectors: every vector whose AIs we know passes") {
    auto vectors = load_vectors();
    REQUIRE(vectors.size() == 280);
    skip_contradictions(vectors);
    int passed = 0;
    int skipped = 0;
    for (const auto& vector : vectors) {
        if (!vector.skip_reason.empty()) {
            ++skipped;
            MESSAGE("skipped line ", vector.line, " (", vector.suite, ") ", vector.input, ": ", vector.skip_reason);
            continue;
        }
        const auto outcome = run(vector);
        INFO("line ", vector.line, " (", vector.suite, ") input: ", vector.input, " expect: ", vector.expect,
             " valid: ", vector.valid, " got: ", outcome.ok ? outcome.text : outcome.error);
        CHECK(passes(vector, outcome));
        if (passes(vector, outcome)) ++passed;
    }
    MESSAGE("GS1 syntax vectors: ", passed, " passed, ", skipped, " skipped of ", vectors.size());
    CHECK(passed >= 262);  // measured: 262 of 280 pass, 18 are skipped (listed above)
}

TEST_CASE("a GS1 DataMatrix scan with symbology identifier and GS gives the pack's fields") {
    const auto scan = accepted("]d201" + std::string(gtin) + "17261231" + "10ABC123" + gs + "21XYZ789");
    CHECK(scan.gtin == gtin);
    CHECK(scan.expiry == "261231");
    CHECK(scan.expiry_date == "2026-12-31");
    CHECK(scan.lot == "ABC123");
    CHECK(scan.serial == "XYZ789");
    CHECK(scan.other.empty());
    CHECK(scan.element_string == "^01" + std::string(gtin) + "1726123110ABC123^21XYZ789");
}

TEST_CASE("the same pack arrives identically in every accepted form") {
    const auto reference = accepted("]d201" + std::string(gtin) + "17261231" + "10ABC123" + gs + "21XYZ789");
    const std::vector<std::string> forms{
        "01" + std::string(gtin) + "17261231" + "10ABC123" + gs + "21XYZ789",           // no symbology identifier
        "]Q301" + std::string(gtin) + "17261231" + "10ABC123" + gs + "21XYZ789",        // GS1 QR
        "]C101" + std::string(gtin) + "17261231" + "10ABC123" + gs + "21XYZ789\r\n",    // GS1-128, Enter appended
        "^01" + std::string(gtin) + "1726123110ABC123^21XYZ789",                        // ^ as FNC1
        "(01)" + std::string(gtin) + "(17)261231(10)ABC123(21)XYZ789",                  // bracketed
    };
    for (const auto& form : forms) {
        INFO(form);
        CHECK(accepted(form) == reference);
    }
    // A Digital Link orders the path 01, 10, 21 and puts 17 in the query: same fields, other order.
    for (const std::string link : {"https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ789?17=261231",
                                   "]Q1https://brand.example/p/01/9506000134352/10/ABC123/21/XYZ789?17=261231&linkType=all",
                                   "]d1HTTPS://ID.GS1.ORG/01/09506000134352/10/ABC123/21/XYZ789?17=261231"}) {
        const auto scan = accepted(link);
        INFO(link);
        CHECK(scan.gtin == reference.gtin);
        CHECK(scan.lot == reference.lot);
        CHECK(scan.serial == reference.serial);
        CHECK(scan.expiry_date == reference.expiry_date);
    }
}

TEST_CASE("separate fields are checked like a scan") {
    const auto scan = scan_from_fields({"9506000134352", "XYZ789", "ABC123", "261200"});
    REQUIRE(scan.ok());
    CHECK(scan->gtin == gtin);  // GTIN-13 padded to 14 digits
    CHECK(scan->expiry_date == "2026-12-31");
    CHECK_FALSE(scan_from_fields({"9506000134353", "X", "L", "261231"}).ok());  // check digit
    CHECK_FALSE(scan_from_fields({"09506000134352", "X", "L", "261331"}).ok());  // month 13
    CHECK_FALSE(scan_from_fields({"09506000134352", "X Y", "L", ""}).ok());      // space is not CSET 82
    CHECK_FALSE(scan_from_fields({"09506000134352", "123456789012345678901", "L", ""}).ok());  // 21 characters
}

TEST_CASE("expiry dates: day 00 is the end of the month, leap years count") {
    CHECK(accepted("(01)09506000134352(17)260200").expiry_date == "2026-02-28");
    CHECK(accepted("(01)09506000134352(17)280200").expiry_date == "2028-02-29");
    CHECK(accepted("(01)09506000134352(17)240229").expiry_date == "2024-02-29");
    CHECK(contains(refused("(01)09506000134352(17)250229"), "YYMMDD"));
    CHECK(contains(refused("(01)09506000134352(17)251301"), "YYMMDD"));
    CHECK(contains(refused("(01)09506000134352(17)250431"), "YYMMDD"));
    CHECK(contains(refused("(01)09506000134352(7006)250400"), "YYMMDD"));  // day 00 only where GS1 allows it
}

TEST_CASE("invalid GS1 data is refused as a bad scan, naming the fault") {
    CHECK(contains(refused("]d20109506000134353" "17261231"), "check digit"));
    CHECK(contains(refused("]d201095060001343521726123110AB#C"), "CSET 82"));
    CHECK(contains(refused("]d2019506000134352"), "too short"));  // a GTIN-13 where AI 01 needs 14 digits
    CHECK(contains(refused("]d2"), "no data"));
    CHECK(contains(refused("]d20109506000134352891234"), "unknown"));
    CHECK(contains(refused("]d2" "00" "106141411234567897"), "SSCC"));  // a case label, not a pack
    CHECK(contains(refused("]d2" "10ABC"), "no GTIN"));
    CHECK(contains(refused("]d1HELLO"), "no GS1 data"));
    CHECK(contains(refused("]d2010950600013435210ABC" + gs + "10DEF"), "more than once"));
    CHECK(contains(refused("https://id.gs1.org/01/09506000134352/21/X?10=L"), "path"));
    CHECK(contains(refused(""), "empty"));
}

TEST_CASE("a lot or serial that swallowed the next AI because a GS was lost is flagged") {
    // Lot first, GS lost before 21: the serial hides in the lot.
    auto hint = refused("]d201" + std::string(gtin) + "17261231" + "10ABC123" + "21XYZ789");
    CHECK(contains(hint, "AI (10)"));
    CHECK(contains(hint, "AI (21)"));
    CHECK(contains(hint, "GS separator"));
    // Serial first, GS lost before 17 and 10: expiry and lot hide in the serial.
    hint = refused("]d201" + std::string(gtin) + "21XY" + "17261231" + "10ABC1");
    CHECK(contains(hint, "AI (21)"));
    CHECK(contains(hint, "AI (17)"));
    // The same without a symbology identifier.
    CHECK(contains(refused("01" + std::string(gtin) + "10ABC12321XYZ789"), "GS separator"));
    // A lost GS that makes the value too long is refused by the length check anyway.
    hint = refused("]d201" + std::string(gtin) + "10ABCDEFGHIJKLMNOPQR21XYZ789");
    CHECK(contains(hint, "too long"));
    CHECK(contains(hint, "GS separator"));
}

TEST_CASE("the missing-GS heuristic leaves correct scans alone") {
    // All four pack AIs present: a serial containing "21" or "17" plus a date is just a serial.
    CHECK(accepted("]d201" + std::string(gtin) + "17261231" + "10A21B" + gs + "21X1726123110Y").serial ==
          "X1726123110Y");
    // 17 missing, but "17" in the lot is not followed by a valid date.
    CHECK(accepted("]d201" + std::string(gtin) + "10AB17999999" + gs + "21S1").lot == "AB17999999");
    // A bracketed string or a Digital Link cannot lose a GS: a lot spelled like an AI is taken as written.
    CHECK(accepted("(01)" + std::string(gtin) + "(10)ABC12321XYZ789").lot == "ABC12321XYZ789");
    CHECK(suspicious_swallow({{"01", std::string(gtin)}, {"10", "ABC12321XYZ789"}}) != "");
    CHECK(suspicious_swallow({{"01", std::string(gtin)}, {"10", "ABC123"}, {"21", "21XYZ789"}}) == "");
    const AiValue lot{"10", "L"};
    const AiValue expiry{"17", "261231"};
    CHECK(suspicious_swallow({{"01", std::string(gtin)}, lot, expiry, {"21", "S0109506000134352"}}) == "");  // 01 present
    CHECK(suspicious_swallow({lot, expiry, {"21", "S0109506000134352"}}) != "");  // 01 missing, a valid GTIN inside
    CHECK(suspicious_swallow({lot, expiry, {"21", "S0109506000134353"}}) == "");  // wrong check digit: not a GTIN
    // Only the four pack AIs are looked for: a serial containing "710" (a national code) is not flagged.
    CHECK(suspicious_swallow({{"01", std::string(gtin)}, lot, expiry, {"21", "AB7101234"}}) == "");
}

TEST_CASE("keyboard-layout damage is a bad scan with a hint, never a different pack") {
    const std::string data = "01" + std::string(gtin) + "17261231" + "10ABC123" + gs + "21XYZ789";
    // Caps Lock inverts the symbology identifier's letter.
    CHECK(contains(refused("]D2" + data), "Caps Lock"));
    CHECK(contains(refused("]q3" + data), "Caps Lock"));
    // A German layout turns ']' into '+' (and swaps Y and Z in the serial).
    auto hint = refused("+d2" + std::string("01") + std::string(gtin) + "17261231" + "10ABC123" + "21XZY789");
    CHECK(contains(hint, "German"));
    CHECK(contains(hint, "Y and Z"));
    // A French layout turns ']' into '$' and digits into accented letters.
    CHECK(contains(refused("$d\xc3\xa9\xc3\xa0&"), "French"));
    CHECK(contains(refused("01" + std::string(gtin) + "10AB\xc3\x9f" "12"), "German"));
    // The ']' lost.
    CHECK(contains(refused("d2" + data), "was lost"));
    // GS arrives as another character.
    CHECK(contains(refused("]d201" + std::string(gtin) + "10ABC123~21XYZ789"), "'~'"));
}

TEST_CASE("element strings put FNC1 only after values without a predefined length") {
    CHECK(to_element_string({{"01", std::string(gtin)}, {"17", "261231"}, {"10", "L"}, {"21", "S"}}) ==
          "^01" + std::string(gtin) + "1726123110L^21S");
    CHECK(to_element_string({{"8111", "1234"}, {"10", "L"}}) == "^81111234^10L");
    CHECK(to_element_string({{"3103", "000195"}, {"3922", "0299"}, {"17", "201225"}}) == "^310300019539220299^17201225");
    CHECK(is_known_ai("7003"));
    CHECK(is_known_ai("3105"));
    CHECK_FALSE(is_known_ai("3106"));
    CHECK_FALSE(is_known_ai("89"));
    CHECK(check_ai_value("7003", "2612311159").ok());
    CHECK_FALSE(check_ai_value("7003", "2612312459").ok());
    CHECK(check_ai_value("8006", "095060001343520102").ok());
    CHECK_FALSE(check_ai_value("8006", "095060001343520302").ok());  // piece 3 of 2
}

TEST_CASE("a Digital Link with an empty query before a fragment is read, not crashed on (fuzzer finding)") {
    auto scan = rxl::gs1::parse_scan("https://id.gs1.org/01/09506000134352/21/ABC?#");
    REQUIRE(scan.ok());
    CHECK(scan->gtin == "09506000134352");
    CHECK(scan->serial == "ABC");
    auto fuzzed = rxl::gs1::parse_scan("https://a/8004/906152266?#1=0");
    CHECK((fuzzed.ok() || fuzzed.error().code == "bad-scan"));
}
