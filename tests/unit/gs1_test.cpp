// GS1 identifiers: check digits, CSET 82, EPC URNs and GS1 Digital Links.
//
// The expected Digital Links for the EPC URNs below are those of the CBV 2.0 hash pre-image of
// shared/testdata/epcis-hash/epclist_normalisation.jsonld (its SHA-256 equals the .hashes file), so they pin
// exactly the spelling the event hash depends on.

#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <string>

#include "ledger/gs1/identifiers.hpp"
#include "tests/support/testdata.hpp"

using namespace rxl;
using namespace rxl::gs1;

// Failure messages show the identifier as its kind and Digital Link instead of "{?}".
template <>
struct doctest::StringMaker<Identifier> {
    static doctest::String convert(const Identifier& id) {
        const std::string text = std::to_string(id.index()) + ":" + to_digital_link(id);
        return text.c_str();
    }
};

namespace {

Identifier parsed(std::string_view text) {
    auto result = parse_identifier(text);
    INFO("input: ", text);
    if (!result) FAIL("refused: ", result.error().detail);
    return *result;
}

std::string digital_link_of(std::string_view text) { return to_digital_link(parsed(text)); }

// The error detail for a refused identifier; fails the test when the input was accepted.
std::string refusal(std::string_view text) {
    auto result = parse_identifier(text);
    INFO("input: ", text);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "bad-identifier");
    CHECK(result.error().kind == ErrorKind::invalid_input);
    return result.error().detail;
}

}  // namespace

TEST_CASE("check digits are computed with weights 3,1 from the right") {
    CHECK(check_digit("1061414107346") == '4');      // GTIN-14 10614141073464
    CHECK(check_digit("34012345111111111") == '1');  // SSCC 340123451111111111
    CHECK(check_digit("401234500005") == '4');       // GLN 4012345000054
    CHECK(check_digit("9638507") == '4');            // GTIN-8 96385074
    CHECK(check_digit("000000000000") == '0');
}

TEST_CASE("valid check digits are accepted and wrong ones refused") {
    CHECK(has_valid_check_digit("10614141073464", 14));
    CHECK_FALSE(has_valid_check_digit("10614141073465", 14));
    CHECK_FALSE(has_valid_check_digit("10614141073464", 13));  // wrong length
    CHECK_FALSE(has_valid_check_digit("1061414107346A", 14));  // not digits
    CHECK(has_valid_check_digit("340123451111111111", 18));
    CHECK_FALSE(has_valid_check_digit("340123451111111112", 18));
    CHECK_FALSE(has_valid_check_digit("", 0));
}

TEST_CASE("CSET 82 holds exactly 82 printable ASCII characters") {
    int members = 0;
    for (int c = 0; c < 128; ++c) {
        const char character = static_cast<char>(c);
        if (is_cset82(std::string_view(&character, 1))) ++members;
    }
    CHECK(members == 82);
    CHECK(is_cset82("AZaz09!\"%&'()*+,-./:;<=>?_"));
    CHECK_FALSE(is_cset82("a b"));  // space
    CHECK_FALSE(is_cset82("#"));
    CHECK_FALSE(is_cset82("~"));
    CHECK_FALSE(is_cset82("\x1d"));  // GS
    CHECK_FALSE(is_cset82("\xc3\xa4"));  // UTF-8 a-umlaut
}

TEST_CASE("SGTIN URN becomes the canonical Digital Link") {
    CHECK(parsed("urn:epc:id:sgtin:0614141.107346.2017") == Identifier{Sgtin{"10614141073464", "2017"}});
    CHECK(digital_link_of("urn:epc:id:sgtin:0614141.107346.2017") == "https://id.gs1.org/01/10614141073464/21/2017");
    CHECK(digital_link_of("urn:epc:id:sgtin:4012345.011111.9876") == "https://id.gs1.org/01/04012345111118/21/9876");
    // A 12-digit company prefix leaves only the indicator digit as item reference.
    CHECK(digital_link_of("urn:epc:id:sgtin:415056789012.0.987654") ==
          "https://id.gs1.org/01/04150567890128/21/987654");
}

TEST_CASE("SGTIN serials with special characters are decoded and re-encoded as the hash expects") {
    const auto id = parsed("urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()");
    CHECK(id == Identifier{Sgtin{"80614141123458", "6789/&%\"!?()"}});
    CHECK(to_digital_link(id) == "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29");
    CHECK(digital_link_of("urn:epc:id:sgtin:4012345.011111.98%22") == "https://id.gs1.org/01/04012345111118/21/98%22");
    // Lower-case hex in the URN is the same character.
    CHECK(parsed("urn:epc:id:sgtin:0614141.812345.a%2fb") == Identifier{Sgtin{"80614141123458", "a/b"}});
    // A dot belongs to the serial: only the first two dots separate the fields.
    CHECK(parsed("urn:epc:id:sgtin:0614141.812345.1.2") == Identifier{Sgtin{"80614141123458", "1.2"}});
}

TEST_CASE("SSCC, SGLN, PGLN, LGTIN and SGTIN pattern URNs become Digital Links") {
    CHECK(parsed("urn:epc:id:sscc:4012345.3111111111") == Identifier{Sscc{"340123451111111111"}});
    CHECK(digital_link_of("urn:epc:id:sscc:4012345.3111111111") == "https://id.gs1.org/00/340123451111111111");
    CHECK(parsed("urn:epc:id:sgln:0614141.07346.1234") == Identifier{Sgln{"0614141073467", "1234"}});
    CHECK(digital_link_of("urn:epc:id:sgln:0614141.07346.1234") == "https://id.gs1.org/414/0614141073467/254/1234");
    // Extension "0" means "no extension": it is stored empty so that both spellings compare equal.
    CHECK(parsed("urn:epc:id:sgln:4012345.00005.0") == Identifier{Sgln{"4012345000054", ""}});
    CHECK(digital_link_of("urn:epc:id:sgln:4012345.00005.0") == "https://id.gs1.org/414/4012345000054");
    CHECK(to_digital_link(Sgln{"4012345000054", "0"}) == "https://id.gs1.org/414/4012345000054");
    CHECK(digital_link_of("urn:epc:id:sgln:4012345.00005.122") == "https://id.gs1.org/414/4012345000054/254/122");
    CHECK(digital_link_of("urn:epc:id:pgln:4000001.00000") == "https://id.gs1.org/417/4000001000005");
    CHECK(digital_link_of("urn:epc:id:pgln:999999999999.") == "https://id.gs1.org/417/9999999999994");
    CHECK(parsed("urn:epc:class:lgtin:4012345.012345.Lot987") == Identifier{ProductClass{"04012345123456", "Lot987"}});
    CHECK(digital_link_of("urn:epc:class:lgtin:4012345.012345.Lot987") ==
          "https://id.gs1.org/01/04012345123456/10/Lot987");
    CHECK(parsed("urn:epc:idpat:sgtin:4012345.012345.*") == Identifier{ProductClass{"04012345123456", ""}});
    CHECK(digital_link_of("urn:epc:idpat:sgtin:4012345.012345.*") == "https://id.gs1.org/01/04012345123456");
}

TEST_CASE("Digital Links on any host parse back to the same identifier") {
    CHECK(parsed("https://id.gs1.org/01/10614141073464/21/2017") == Identifier{Sgtin{"10614141073464", "2017"}});
    CHECK(parsed("https://example.com/01/10614141073464/10/L1") == Identifier{ProductClass{"10614141073464", "L1"}});
    CHECK(parsed("http://example.com/01/10614141073464") == Identifier{ProductClass{"10614141073464", ""}});
    CHECK(parsed("https://example.com/00/340123451111111111") == Identifier{Sscc{"340123451111111111"}});
    CHECK(parsed("https://example.com/414/0614141073467/254/1234") == Identifier{Sgln{"0614141073467", "1234"}});
    CHECK(parsed("https://example.com/414/0614141073467") == Identifier{Sgln{"0614141073467", ""}});
    CHECK(parsed("https://example.com/414/0614141073467/254/0") == Identifier{Sgln{"0614141073467", ""}});
    CHECK(parsed("https://example.com/417/4000001000005") == Identifier{Pgln{"4000001000005"}});
    // A resolver's own path prefix, a query string and the GS1 DL 1.0 short names are all tolerated.
    CHECK(parsed("https://brand.example.com/a/b/01/10614141073464/21/2017?17=261231&linkType=all") ==
          Identifier{Sgtin{"10614141073464", "2017"}});
    CHECK(parsed("https://example.com/gtin/09780345418913/21/765tz?abc=211121") ==
          Identifier{Sgtin{"09780345418913", "765tz"}});
    // With both lot and serial the serial identifies the instance.
    CHECK(parsed("https://example.com/01/10614141073464/10/L1/21/S1") == Identifier{Sgtin{"10614141073464", "S1"}});
}

TEST_CASE("short GTINs in a Digital Link are left-padded to 14 digits") {
    CHECK(parsed("https://id.gs1.org/01/96385074") == Identifier{ProductClass{"00000096385074", ""}});
    CHECK(parsed("https://id.gs1.org/01/036000291452/21/1") == Identifier{Sgtin{"00036000291452", "1"}});
    CHECK(parsed("https://id.gs1.org/01/9780345418913") == Identifier{ProductClass{"09780345418913", ""}});
    CHECK(digital_link_of("https://id.gs1.org/01/96385074/21/X") == "https://id.gs1.org/01/00000096385074/21/X");
    CHECK(refusal("https://id.gs1.org/01/0614141073468/21/1").find("check digit") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/01/106141410734/21/1").find("check digit") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/01/1061414107346/21/1").find("check digit") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/01/123456789/21/1").find("8, 12, 13 or 14 digits") != std::string::npos);
}

TEST_CASE("percent-encoding round trips between Digital Link, identifier and URN spellings") {
    const std::string link = "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29";
    const auto id = parsed(link);
    CHECK(id == Identifier{Sgtin{"80614141123458", "6789/&%\"!?()"}});
    CHECK(to_digital_link(id) == link);
    CHECK(id == parsed("urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()"));
    // Characters that need no encoding survive literally; the rest of the set is encoded.
    CHECK(encode_digital_link_value("a-b.c_d'e;f=g") == "a-b.c_d'e;f=g");
    CHECK(encode_digital_link_value("*+,:<>") == "%2A%2B%2C%3A%3C%3E");
    CHECK(to_digital_link(Sgln{"0614141073467", "A/B"}) == "https://id.gs1.org/414/0614141073467/254/A%2FB");
    CHECK(to_digital_link(ProductClass{"04012345123456", "L(1)"}) == "https://id.gs1.org/01/04012345123456/10/L%281%29");
    CHECK(parsed("https://id.gs1.org/01/04012345123456/10/L%281%29") == Identifier{ProductClass{"04012345123456", "L(1)"}});
}

TEST_CASE("malformed EPC URNs are refused with the fault named") {
    CHECK(refusal("urn:epc:id:sgtin:0614141.10734.2017").find("13 digits") != std::string::npos);
    CHECK(refusal("urn:epc:id:sgtin:06141.1073460.2017").find("6 to 12 digits") != std::string::npos);
    CHECK(refusal("urn:epc:id:sgtin:0614141.107346").find("CompanyPrefix.ItemRef.Serial") != std::string::npos);
    CHECK(refusal("urn:epc:id:sgtin:0614141.1O7346.1").find("must be digits") != std::string::npos);
    CHECK(refusal("urn:epc:id:sgtin:0614141.107346.").find("1 to 20 characters") != std::string::npos);
    CHECK(refusal("urn:epc:id:sgtin:0614141.107346.123456789012345678901").find("1 to 20") != std::string::npos);
    CHECK(refusal("urn:epc:id:sgtin:0614141.107346.A%2").find("two hex digits") != std::string::npos);
    CHECK(refusal("urn:epc:id:sgtin:0614141.107346.A%zz").find("two hex digits") != std::string::npos);
    CHECK(refusal("urn:epc:id:sgtin:0614141.107346.A%20B").find("CSET 82") != std::string::npos);
    CHECK(refusal("urn:epc:id:sscc:4012345.311111111").find("17 digits") != std::string::npos);
    CHECK(refusal("urn:epc:id:sgln:0614141.0734.1").find("12 digits") != std::string::npos);
    CHECK(refusal("urn:epc:id:pgln:4000001").find("CompanyPrefix.PartyRef") != std::string::npos);
    CHECK(refusal("urn:epc:idpat:sgtin:4012345.012345.5").find("ItemRef.*") != std::string::npos);
    CHECK(refusal("urn:epc:class:lgtin:4012345.012345.").find("LGTIN lot") != std::string::npos);
}

TEST_CASE("malformed Digital Links are refused with the fault named") {
    CHECK(refusal("https://id.gs1.org/01/10614141073465/21/2017").find("GTIN check digit") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/00/340123451111111112").find("SSCC") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/414/0614141073468").find("GLN") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/417/061414107346").find("GLN") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/01/10614141073464/21").find("no value") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/01/10614141073464/99/x").find("not a qualifier") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/01/10614141073464/21/a/21/b").find("twice") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/01/10614141073464/21/a%20b").find("CSET 82") != std::string::npos);
    CHECK(refusal("https://id.gs1.org/00/340123451111111111/21/1").find("not a qualifier") != std::string::npos);
}

TEST_CASE("identifiers the ledger does not interpret are kept verbatim") {
    for (const std::string text : {"urn:epc:id:grai:4012345.00022.334455", "http://transaction.acme.com/po/12345678",
                                   "https://ref.gs1.org/cbv/BizStep-shipping", "urn:uuid:1234", "ni:///sha-256;ab"}) {
        const auto id = parsed(text);
        CHECK(id == Identifier{Other{text}});
        CHECK(to_digital_link(id) == text);
    }
}

TEST_CASE("company prefix membership") {
    CHECK(gtin_has_prefix("10614141073464", "0614141"));
    CHECK_FALSE(gtin_has_prefix("10614141073464", "1061414"));  // the indicator digit is not part of it
    CHECK_FALSE(gtin_has_prefix("10614141073464", ""));
    CHECK(sscc_has_prefix("340123451111111111", "4012345"));
    CHECK_FALSE(sscc_has_prefix("340123451111111111", "3401234"));
    CHECK(gln_has_prefix("4012345000054", "4012345"));
    CHECK_FALSE(gln_has_prefix("4012345000054", "0123450"));
}

TEST_CASE("every SGTIN, SSCC, SGLN, PGLN and LGTIN URN in the hash vectors survives a Digital Link round trip") {
    const std::regex urn_pattern(R"(urn:epc:(id:(sgtin|sscc|sgln|pgln)|class:lgtin):[^"]+)");
    std::set<std::string> urns;
    for (const auto& entry : std::filesystem::directory_iterator(test::testdata_dir() / "epcis-hash")) {
        if (entry.path().extension() != ".jsonld") continue;
        const auto text = test::read_file(entry.path());
        for (std::sregex_iterator it(text.begin(), text.end(), urn_pattern), end; it != end; ++it) urns.insert(it->str());
    }
    CHECK(urns.size() > 50);
    for (const auto& urn : urns) {
        const auto id = parsed(urn);
        const auto link = to_digital_link(id);
        INFO(urn, " -> ", link);
        CHECK(link.starts_with("https://id.gs1.org/"));
        CHECK(parsed(link) == id);
    }
}
