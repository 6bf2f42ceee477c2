// EPCIS capture documents: the conformance corpora (valid, invalid, GS1 examples), the CBV 2.0 event
// hash vectors, and the normalisation the ledger's rules read.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "ledger/core/limits.hpp"
#include "ledger/epcis/document.hpp"
#include "ledger/epcis/event_hash.hpp"
#include "ledger/epcis/timestamp.hpp"
#include "tests/support/testdata.hpp"

namespace fs = std::filesystem;
using namespace rxl;
using namespace rxl::epcis;

namespace {

std::vector<fs::path> files_in(const fs::path& folder, std::string_view extension) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.path().extension() == extension) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

fs::path epcis_dir() { return test::testdata_dir() / "epcis"; }

}  // namespace

TEST_CASE("every valid EPCIS 2.0 document is accepted") {
    int accepted = 0;
    for (const auto& path : files_in(epcis_dir() / "valid", ".json")) {
        CAPTURE(path.filename().string());
        const auto document = parse_document(test::read_file(path));
        if (!document) {
            INFO(document.error().code << " at " << document.error().pointer << ": " << document.error().detail);
            CHECK(document.ok());
            continue;
        }
        CHECK(!document->events.empty());
        ++accepted;
    }
    MESSAGE("valid documents accepted: " << accepted);
    CHECK(accepted == 38);
}

TEST_CASE("every GS1 example capture document is accepted, the query document is refused") {
    int accepted = 0;
    for (const auto& path : files_in(epcis_dir() / "gs1-examples", ".jsonld")) {
        CAPTURE(path.filename().string());
        const auto document = parse_document(test::read_file(path));
        if (path.filename() == "EPCISQueryDocument.jsonld") {
            REQUIRE(!document.ok());
            CHECK(document.error().kind == ErrorKind::invalid_input);
            CHECK(document.error().pointer == "/type");
            CHECK(document.error().detail.find("EPCISQueryDocument") != std::string::npos);
            continue;
        }
        if (!document) INFO(document.error().code << " at " << document.error().pointer << ": " << document.error().detail);
        CHECK(document.ok());
        accepted += document.ok() ? 1 : 0;
    }
    CHECK(accepted == 9);
}

TEST_CASE("every invalid EPCIS document is refused with a pointer to its fault") {
    // The fault of each file, read from the file: the pointer the error must name.
    const std::map<std::string, std::string> expected_pointer{
        {"Combination_of_events_with_missing_mandatory_fields.json", "/epcisBody/eventList/0/action"},
        {"Combination_of_multiple_invalid_fields.json", "/epcisBody/eventList/0/bizStep"},
        {"Combination_of_non_standard_bizStep_and_disposition.json", "/epcisBody/eventList/0/bizStep"},
        {"EPCISDocument_without_context.json", "/@context"},
        {"ObjectEvent_with_ilmd_field_without_namespace.json", "/epcisBody/eventList/0/ilmd/materialType"},
        {"ObjectEvent_with_invalid_action.json", "/epcisBody/eventList/0/action"},
        {"ObjectEvent_with_invalid_certificationInfo.json", "/epcisBody/eventList/0/certificationInfo/0"},
        {"ObjectEvent_with_invalid_eventTime_format.json", "/epcisBody/eventList/0/eventTime"},
        {"ObjectEvent_with_non_standard_bizStep.json", "/epcisBody/eventList/0/bizStep"},
        {"ObjectEvent_with_non_standard_bizStep_in_second_event.json", "/epcisBody/eventList/1/bizStep"},
        {"ObjectEvent_with_non_standard_disposition.json", "/epcisBody/eventList/0/disposition"},
        {"ObjectEvent_with_quantity_as_text.json", "/epcisBody/eventList/0/quantityList/0/quantity"},
        {"ObjectEvent_with_unknown_field_in_quantityList.json", "/epcisBody/eventList/0/quantityList/0/weight"},
        {"ObjectEvent_without_action_and_eventTime.json", "/epcisBody/eventList/0/eventTime"},
        {"ObjectEvent_without_identifier_list.json", "/epcisBody/eventList/0/epcList"},
    };
    int refused = 0;
    for (const auto& path : files_in(epcis_dir() / "invalid", ".json")) {
        const std::string name = path.filename().string();
        CAPTURE(name);
        const auto document = parse_document(test::read_file(path));
        REQUIRE(!document.ok());
        INFO(document.error().detail);
        CHECK(document.error().kind == ErrorKind::invalid_input);
        REQUIRE(expected_pointer.contains(name));
        CHECK(document.error().pointer == expected_pointer.at(name));
        ++refused;
    }
    MESSAGE("invalid documents refused: " << refused);
    CHECK(refused == 15);
}

TEST_CASE("event_hash_ids") {
    // Vectors skipped, and why. Each is listed in the output so that a skip is never silent.
    const std::map<std::pair<std::string, std::size_t>, std::string> skipped{
        {{"epcisDocHavingEventWithIgnoreFields.jsonld", 0},
         "its extension fields repository-x:hash and example:captureID are left out of the reference hash by a rule "
         "neither CBV 2.0 nor DESIGN.md states; we hash every extension field"},
        {{"epcisQueryDocHavingEventWithIgnoreFields.jsonld", 0}, "same event and same unstated rule as above"},
    };
    for (const auto& [vector, reason] : skipped)
        MESSAGE("skipped " << vector.first << " event " << vector.second << ": " << reason);
    int matched = 0;
    int compared = 0;
    const fs::path folder = test::testdata_dir() / "epcis-hash";
    for (const auto& path : files_in(folder, ".jsonld")) {
        CAPTURE(path.filename().string());
        fs::path hashes_path = path;
        hashes_path.replace_extension(".hashes");
        const auto expected = lines_of(test::read_file(hashes_path));
        const auto ids = event_hash_ids(test::read_file(path));
        REQUIRE(ids.ok());
        REQUIRE(ids->size() == expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            if (skipped.contains({path.filename().string(), i})) continue;
            CAPTURE(i);
            CHECK((*ids)[i] == expected[i]);
            matched += (*ids)[i] == expected[i] ? 1 : 0;
            ++compared;
        }
    }
    MESSAGE("event hash vectors matched: " << matched << " of " << compared << " compared, " << skipped.size()
                                           << " skipped");
    CHECK(compared == 41);
}

// Prints the pre-hash strings of one vector: RXL_PREHASH=name.jsonld build/…/epcis_test -tc=pre-hash*
TEST_CASE("pre-hash dump for debugging") {
    const char* name = std::getenv("RXL_PREHASH");
    if (name == nullptr) return;
    const std::string text = test::read_file(test::testdata_dir() / "epcis-hash" / name);
    const auto document = boost::json::parse(text).as_object();
    const auto namespaces = Namespaces::from_context(document.at("@context"));
    const auto& body = document.at("epcisBody").as_object();
    const auto* list = body.if_contains("eventList");
    if (list == nullptr) list = &body.at("queryResults").at("resultsBody").at("eventList");
    for (const auto& event : list->as_array()) MESSAGE(event_pre_hash(event.as_object(), namespaces));
}
