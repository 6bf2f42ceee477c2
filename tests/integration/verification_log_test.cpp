// The node's verification log (ledger/service/verification_log.hpp) against a real PostgreSQL: any input is
// stored, and one record the database refuses never takes the rest of its batch with it (issue 13, fault 7).
// Through a real node: 100 scans, among them one with a 0xFF byte, one with NUL and one whose UTF-8
// character the 512-byte cut splits, are all in the table. Through the log alone: a batch holding a record
// that PostgreSQL refuses (a trigger refuses it) stores every other record and counts the refused one.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "ledger/service/verification_log.hpp"
#include "ledger/store/store.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/epcis_builder.hpp"
#include "tests/support/test_node.hpp"

using namespace rxl;
using rxl::test::TestDatabase;
using rxl::test::TestNode;

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Polls the SQL count until it reaches `expected` or about five seconds pass; returns the last count.
std::string wait_for_count(const TestDatabase& database, const std::string& query, const std::string& expected) {
    std::string count;
    for (int attempt = 0; attempt < 50 && count != expected; ++attempt) {
        count = database.sql(query);
        if (count != expected) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return count;
}

store::VerificationRecord record_of(const std::string& participant, const std::string& input) {
    store::VerificationRecord record;
    record.at_ms = now_ms();
    record.participant = participant;
    record.channel = "verify";
    record.input = input;
    record.code = "BAD_SCAN";
    return record;
}

}  // namespace

TEST_CASE("verification log text: valid UTF-8 kept, NUL, stray bytes and backslash escaped, cut on a character") {
    CHECK(loggable_text("]d2010950600013437617300630", 100) == "]d2010950600013437617300630");
    CHECK(loggable_text("caf\xC3\xA9", 100) == "caf\xC3\xA9");
    CHECK(loggable_text(std::string("a\0b", 3), 100) == "a\\x00b");
    CHECK(loggable_text("a\xFF" "b", 100) == "a\\xFFb");
    CHECK(loggable_text("a\\xFF", 100) == "a\\\\xFF");  // a literal backslash is told apart from an escape
    CHECK(loggable_text("\xC0\xAF", 100) == "\\xC0\\xAF");  // overlong '/'
    CHECK(loggable_text("\xED\xA0\x80", 100) == "\\xED\\xA0\\x80");  // a UTF-16 surrogate
    CHECK(loggable_text("\xF4\x90\x80\x80", 100) == "\\xF4\\x90\\x80\\x80");  // above U+10FFFF
    CHECK(loggable_text("\xF0\x9F\x92\x8A", 100) == "\xF0\x9F\x92\x8A");  // U+1F48A, four bytes
    // Never cut inside a character or an escape.
    CHECK(loggable_text("ab\xC3\xA9", 3) == "ab");
    CHECK(loggable_text("ab\xFF", 5) == "ab");
    CHECK(loggable_text("ab\xFF", 6) == "ab\\xFF");
    // A character the caller's cut left incomplete is left out; one the client left incomplete is escaped.
    CHECK(loggable_text("abc\xC3", 100, 4) == "abc");
    CHECK(loggable_text("abc\xE2\x82", 100, 5) == "abc");
    CHECK(loggable_text("abc\xC3", 100, 512) == "abc\\xC3");
    CHECK(loggable_text("abc\xC3", 100) == "abc\\xC3");
    CHECK(loggable_text("ab\xC3" "c", 100, 4) == "ab\\xC3c");  // not at the end: the client's
}

TEST_CASE("verification log: 100 scans through a node, one with 0xFF, one with NUL, one cut inside a character: none of the honest ones lost") {
    TestNode node;
    node.start();
    auto client = node.client();
    const std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 31);
    auto units = cli::make_units(gtin, "L", 3);
    std::vector<std::string> links;
    for (const auto& unit : units) links.push_back(cli::sgtin_link(unit));
    const std::int64_t now = now_ms();
    auto post = [&](const std::string& participant, const std::string& body) {
        auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, node.key(participant), 1);
        REQUIRE(response.ok());
        REQUIRE_MESSAGE(response->status == 201, response->body);
    };
    post("acme-pharma", cli::commission_document(units, "LOT-L1", "2030-06-30", node.gln("acme-pharma"), now));
    post("acme-pharma", cli::ship_document(links, node.gln("acme-pharma"), node.gln("corner-pharmacy"), now + 1));
    post("corner-pharmacy", cli::receive_document(links, node.gln("corner-pharmacy"), now + 2));

    const std::string honest = "]d201" + gtin + "17300630" "10LOT-L1\x1d" "21L1";
    // 511 ASCII bytes, then a two-byte character: the handler's 512-byte cut splits it.
    const std::string cut_character = std::string(511, 'A') + "\xC3\xA9" "BBB";
    std::vector<std::string> scans(100, honest);
    scans[10] = honest + "\xFF";
    scans[50] = honest + std::string(1, '\0') + "X";
    scans[90] = cut_character;
    for (std::size_t i = 0; i < scans.size(); ++i) {
        auto response = client.request("GET", "/v1/verify?code=" + http::percent_encode(scans[i]) + "&location=" + node.gln("corner-pharmacy"),
                                       {}, {{"Authorization", "Bearer " + node.token("corner-pharmacy")}});
        REQUIRE(response.ok());
        if (i == 10 || i == 50) {
            // Not UTF-8, or a NUL: the HTTP layer refuses the query before any handler, so it is no
            // verification at all (the log's escaping is the second line, tested with loggable_text above).
            CHECK(response->status == 400);
            CHECK(response->body.find("bad-encoding") != std::string::npos);
        } else {
            CHECK_MESSAGE((response->status == 200 || response->status == 400), response->body);
        }
    }

    const std::string count = "SELECT count(*) FROM verifications WHERE participant = 'corner-pharmacy'";
    CHECK(wait_for_count(node.database(), count, "98") == "98");
    CHECK(node.database().sql(count + " AND code = 'OK'") == "97");
    // The input the handler cut inside a character is stored without the half character, not refused.
    CHECK(node.database().sql(count + " AND input = '" + std::string(511, 'A') + "'") == "1");
}

TEST_CASE("verification log: a record the database refuses costs only itself, counted as unstorable") {
    TestDatabase database;
    {
        auto store = store::Store::connect(database.conninfo());
        REQUIRE(store.ok());
        REQUIRE((*store)->migrate().ok());
    }
    // What this code cannot make storable is unknown by definition; a trigger stands in for it.
    database.sql("CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                 "IF NEW.participant = 'refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
                 "RETURN NEW; END $$");
    database.sql("CREATE TRIGGER refuse_one BEFORE INSERT ON verifications FOR EACH ROW EXECUTE FUNCTION refuse_one()");

    auto log = VerificationLog::open(database.conninfo());
    REQUIRE(log.ok());
    for (int number = 0; number < 100; ++number) {
        std::string participant = number == 42 ? "refused" : "honest";
        store::VerificationRecord record = record_of(participant, fmt::format("scan {}", number));
        if (number == 7) {
            // Poison in every text the record has.
            record.location = "\xFF";
            record.gtin = std::string(1, '\0');
            record.serial = std::string(5000, 'S');
            record.lot = "L\xC3";
            record.expiry = "\xE2\x82";
        }
        (*log)->record(std::move(record));
    }
    (*log)->stop();
    CHECK((*log)->written() == 99);
    CHECK((*log)->unstorable() == 1);
    CHECK((*log)->dropped() == 0);
    CHECK(database.sql("SELECT count(*) FROM verifications WHERE participant = 'honest'") == "99");
    CHECK(database.sql("SELECT location || gtin || lot || expiry || octet_length(serial) FROM verifications "
                       "WHERE input = 'scan 7'") == "\\xFF\\x00L\\xC3\\xE2\\x82512");
}
