// What apply stores is what PostgreSQL can hold and gives back unchanged (DESIGN.md section 10, rule 1):
// the strict JSON parser every body goes through, text and date grammars, the EPCIS fields the store
// keeps in columns of their own, pack and recall bodies checked before ordering by apply's own code, and
// the entry recorded as unstorable when the store refuses it all the same.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "ledger/apply/pack_rules.hpp"
#include "ledger/apply/recall_rules.hpp"
#include "ledger/core/limits.hpp"
#include "ledger/epcis/document.hpp"
#include "ledger/epcis/strict_json.hpp"
#include "ledger/epcis/timestamp.hpp"
#include "tests/unit/ledger_world.hpp"

using namespace rxl;
using namespace rxl::test;

namespace {

std::string code_of_parse(std::string_view text) {
    auto parsed = json_text::parse(text, "invalid-json");
    return parsed ? std::string("ok") : parsed.error().code;
}

// A commissioning of one Acme unit, with `event_extra` spliced into the event object and the ILMD as given.
std::string commissioning_json(const std::string& lot_json, const std::string& expiry_json,
                               const std::string& event_extra = "", const std::string& serial = "S1") {
    const std::string gln = with_check_digit("061414100001");
    return R"({"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument",)"
           R"("schemaVersion":"2.0","creationDate":"2025-06-01T10:00:00.000Z","epcisBody":{"eventList":[)"
           R"({"type":"ObjectEvent","eventTime":"2025-06-01T10:00:00.000Z","eventTimeZoneOffset":"+00:00",)"
           R"("action":"ADD","bizStep":"commissioning","disposition":"active",)" +
           event_extra + R"("epcList":["https://id.gs1.org/01/)" + acme_gtin() + "/21/" + serial + R"("],)" +
           R"("readPoint":{"id":"https://id.gs1.org/414/)" + gln + R"("},)" +
           R"("ilmd":{"cbvmda:lotNumber":)" + lot_json + R"(,"cbvmda:itemExpirationDate":)" + expiry_json + "}}]}}";
}

std::string code_of_document(const std::string& text) {
    auto document = epcis::parse_document(text);
    if (document) return "ok";
    INFO(document.error().detail);
    return document.error().code;
}

// The same body submitted as another node's apply sees it: no parsed document, so apply parses it.
SubmissionAnswer submit_body(World& world, const std::string& body) {
    return world.submit(Consortium::sign(world.people.acme, SubmissionKind::epcis, body));
}

}  // namespace

TEST_CASE("the strict JSON parser refuses what Boost.JSON alone would let through") {
    CHECK(code_of_parse(R"({"a":1,"b":{"c":[{"d":1},{"d":2}]}})") == "ok");
    // Boost.JSON keeps the last of two members with the same name; a reader keeping the first would see
    // another document than apply did.
    CHECK(code_of_parse(R"({"a":1,"a":2})") == "duplicate-json-key");
    CHECK(code_of_parse(R"({"a":{"b":1,"c":2,"b":3}})") == "duplicate-json-key");
    CHECK(code_of_parse(R"([{"x":1},{"x":2,"x":3}])") == "duplicate-json-key");
    CHECK(code_of_parse(R"({"a\u0000":1})") == "nul-character");
    CHECK(code_of_parse(R"({"a":"lot\u0000"})") == "nul-character");
    CHECK(code_of_parse(R"({"quantity":1e999})") == "number-out-of-range");
    CHECK(code_of_parse(R"({"quantity":-1e999})") == "number-out-of-range");
    CHECK(code_of_parse(R"({"quantity":1e300})") == "ok");
    CHECK(code_of_parse("{\"a\":\"\xff\"}") == "invalid-json");  // not UTF-8
    CHECK(code_of_parse(R"({"a":1} x)") == "invalid-json");
    CHECK(code_of_parse(std::string(40, '[') + std::string(40, ']')) == "invalid-json");  // too deep
    CHECK(code_of_parse("{\"a\":\"" + std::string(limits::json_string_bytes_max + 1, 'x') + "\"}") == "string-too-long");
    CHECK(code_of_parse("{\"a\":\"" + std::string(limits::json_string_bytes_max, 'x') + "\"}") == "ok");
    auto parsed = json_text::parse(R"({"a":[1,2.5,"x",true,null,{"b":-3}]})", "invalid-json");
    REQUIRE(parsed.ok());
    CHECK(boost::json::serialize(*parsed) == R"({"a":[1,2.5E0,"x",true,null,{"b":-3}]})");
}

TEST_CASE("storable text is UTF-8 without NUL") {
    CHECK(json_text::is_storable_text(""));
    CHECK(json_text::is_storable_text("LOT-1 \xc3\xa9\xe2\x82\xac\xf0\x9f\x92\x8a"));
    CHECK_FALSE(json_text::is_storable_text(std::string("a\0b", 3)));
    CHECK_FALSE(json_text::is_storable_text("\xff"));
    CHECK_FALSE(json_text::is_storable_text("\xc0\xaf"));          // overlong '/'
    CHECK_FALSE(json_text::is_storable_text("\xed\xa0\x80"));      // a surrogate
    CHECK_FALSE(json_text::is_storable_text("\xf4\x90\x80\x80"));  // past U+10FFFF
    CHECK_FALSE(json_text::is_storable_text("\xe2\x82"));          // cut short
}

TEST_CASE("an expiry is an xsd:date of a real day, kept as PostgreSQL's date gives it back") {
    CHECK(epcis::canonical_xsd_date("2030-12-31") == "2030-12-31");
    CHECK(epcis::canonical_xsd_date("2030-12-31Z") == "2030-12-31");
    CHECK(epcis::canonical_xsd_date("2030-12-31+02:00") == "2030-12-31");
    CHECK(epcis::canonical_xsd_date("2028-02-29") == "2028-02-29");
    for (const char* bad : {"not-a-date", "2030-02-30", "2029-02-29", "12/31/2030", "2030-12-31T00:00:00Z", "2030-13-01",
                            "2030-00-10", "0000-01-01", "20301231", "2030-1-31", "2030-12-31 ", "2030-12-31z",
                            "2030-12-31+15:00", "", "+2030-12-31"}) {
        CAPTURE(bad);
        CHECK_FALSE(epcis::canonical_xsd_date(bad).has_value());
    }
}

TEST_CASE("a capture whose content the store could not hold is refused before ordering, and again in apply") {
    const std::string good_lot = R"("LOT-1")";
    const std::string good_expiry = R"("2030-12-31")";
    REQUIRE(code_of_document(commissioning_json(good_lot, good_expiry)) == "ok");
    struct Case {
        const char* name;
        std::string body;
        std::string code;
    };
    const std::vector<Case> cases{
        {"NUL in the lot", commissioning_json(R"("LOT\u0000X")", good_expiry), "nul-character"},
        {"a 10 KiB lot", commissioning_json("\"" + std::string(10 * 1024, 'L') + "\"", good_expiry), "invalid-epcis"},
        {"a 21-character lot", commissioning_json("\"" + std::string(21, 'L') + "\"", good_expiry), "invalid-epcis"},
        {"a lot outside CSET 82", commissioning_json(R"("LOT 1")", good_expiry), "invalid-epcis"},
        {"an empty lot", commissioning_json(R"("")", good_expiry), "invalid-epcis"},
        {"a lot that is a number", commissioning_json("12", good_expiry), "invalid-epcis"},
        {"expiry not-a-date", commissioning_json(good_lot, R"("not-a-date")"), "invalid-epcis"},
        {"expiry 2030-02-30", commissioning_json(good_lot, R"("2030-02-30")"), "invalid-epcis"},
        {"expiry 12/31/2030", commissioning_json(good_lot, R"("12/31/2030")"), "invalid-epcis"},
        {"expiry with a time", commissioning_json(good_lot, R"("2030-12-31T00:00:00Z")"), "invalid-epcis"},
        {"NUL in eventID", commissioning_json(good_lot, good_expiry, R"("eventID":"urn:uuid:1\u0000",)"), "nul-character"},
        {"a 2 KiB eventID",
         commissioning_json(good_lot, good_expiry, "\"eventID\":\"urn:x:" + std::string(2048, 'e') + "\","), "invalid-epcis"},
        {"NUL in a non-CBV bizStep",
         [&] {
             std::string body = commissioning_json(good_lot, good_expiry);
             body.replace(body.find(R"("bizStep":"commissioning")"), 25, R"("bizStep":"urn:example:step\u0000")");
             return body;
         }(),
         "nul-character"},
        {"a 2 KiB non-CBV bizStep",
         [&] {
             std::string body = commissioning_json(good_lot, good_expiry);
             body.replace(body.find(R"("bizStep":"commissioning")"), 25,
                          "\"bizStep\":\"urn:example:" + std::string(2048, 's') + "\"");
             return body;
         }(),
         "invalid-epcis"},
        {"a duplicate member", commissioning_json(good_lot, good_expiry, R"("action":"ADD",)"), "duplicate-json-key"},
        {"quantity 1e999",
         commissioning_json(good_lot, good_expiry, R"("quantityList":[{"epcClass":"urn:epc:class:lgtin:0614141.000001.L1","quantity":1e999}],)"),
         "number-out-of-range"},
        {"the lot named twice",
         commissioning_json(good_lot, good_expiry + R"(,"cbvmda:lotNumber":"LOT-2")"), "duplicate-json-key"},
    };
    for (const auto& item : cases) {
        CAPTURE(item.name);
        CHECK(code_of_document(item.body) == item.code);
        World world;
        SubmissionAnswer answer = submit_body(world, item.body);
        CHECK(answer.outcome == item.code);
        CHECK(world.node.store.units().empty());
        CHECK(world.node.store.lots().empty());
    }
}

TEST_CASE("an expiry with a time zone is stored as the calendar day PostgreSQL gives back") {
    World world;
    SubmissionAnswer answer = submit_body(world, commissioning_json(R"("LOT-Z")", R"("2030-12-31Z")"));
    REQUIRE(answer.outcome == "accepted");
    REQUIRE(world.unit("S1").has_value());
    CHECK(world.unit("S1")->expiry == "2030-12-31");
    REQUIRE(world.node.store.lots().size() == 1);
    CHECK(world.node.store.lots().begin()->expiry == "2030-12-31");
}

TEST_CASE("pack and recall bodies are checked before ordering by the code apply runs") {
    const std::string recall = recall_body({"LOT-1"});
    CHECK(check_recall_body(recall).ok());
    std::string nul_reason = recall;
    nul_reason.replace(nul_reason.find("contamination found"), 19, R"(contami\u0000nation)");
    REQUIRE(nul_reason != recall);
    auto refused = check_recall_body(nul_reason);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "nul-character");
    CHECK(check_recall_body(R"({"gtin":")" + acme_gtin() + R"(","gtin":")" + acme_gtin() +
                            R"(","lots":["L"],"class":"II","reason":"r"})")
              .error()
              .code == "duplicate-json-key");
    CHECK(check_recall_body(R"({"gtin":")" + acme_gtin() + R"(","lots":[")" + std::string(10 * 1024, 'L') +
                            R"("],"class":"II","reason":"r"})")
              .error()
              .code == "bad-body");

    const std::string pack = decommission_body("S1", "dispensed", with_check_digit("501234500001"));
    CHECK(check_pack_body(pack).ok());
    std::string duplicate = pack;
    duplicate.insert(1, R"("op":"undo",)");
    CHECK(check_pack_body(duplicate).error().code == "duplicate-json-key");

    // Apply says the same of a body that was ordered all the same (by another node's server).
    World world;
    SubmissionAnswer answer = world.submit(world.people.agency, SubmissionKind::recall, nul_reason);
    CHECK(answer.outcome == "nul-character");
    CHECK(world.node.store.recalls().empty());
}

TEST_CASE("an entry the store refused is recorded as unstorable, the same on every node and in the audit") {
    World world;
    Submission submission = Consortium::sign(world.people.acme, SubmissionKind::epcis,
                                             commissioning_json(R"("LOT-U")", R"("2030-12-31")"));
    OrderedSubmission ordered{submission, 1'760'000'000'000, 5};
    ordered.unstorable = true;
    BatchResult result = world.node.apply({ordered});
    REQUIRE(result.answers.size() == 1);
    CHECK(result.answers[0].outcome == "unstorable");
    CHECK(result.entries.at(0).header.outcome == "unstorable");
    CHECK(world.node.store.units().empty());
    CHECK(result.changes.events.empty());

    // A second node applying the same ordered entry reaches the same leaf and root.
    Node twin{world.people.genesis_json()};
    BatchResult again = twin.apply({ordered});
    CHECK(again.entries.at(0).leaf_hash == result.entries.at(0).leaf_hash);
    CHECK(again.root == result.root);
    // The same bytes again are a repeat of that entry, not a new try.
    SubmissionAnswer repeat = world.submit(submission);
    CHECK(repeat.repeated);
    CHECK(repeat.outcome == "unstorable");
}

TEST_CASE("duplicate member names are found in objects of any size") {
    for (int size : {2, 31, 32, 33, 200}) {
        CAPTURE(size);
        std::string object = "{";
        for (int i = 0; i < size; ++i) object += "\"m" + std::to_string(i) + "\":" + std::to_string(i) + ",";
        CHECK(code_of_parse(object.substr(0, object.size() - 1) + "}") == "ok");
        for (int duplicate : {0, size / 2, size - 1}) {
            CAPTURE(duplicate);
            CHECK(code_of_parse(object + "\"m" + std::to_string(duplicate) + "\":0}") == "duplicate-json-key");
        }
        // The same names in sibling and nested objects are not duplicates.
        CHECK(code_of_parse("[" + object + "\"x\":{\"m0\":1}}," + object + "\"x\":2}]") == "ok");
    }
}
