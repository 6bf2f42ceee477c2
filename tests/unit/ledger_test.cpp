// Tests of what the ledger hashes and signs: the entry encoding (golden vectors), the per-unit chain link,
// the submission signing message and id, and the genesis file's checks.
//
// The expected bytes below were written from the grammars in ledger/apply/entry.hpp and DESIGN.md
// section 4, field by field, and their SHA-256 values computed with an independent implementation
// (Python's hashlib), never with the code under test. If one of them changes, the format changed.
#include <doctest/doctest.h>

#include <openssl/evp.h>

#include <boost/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ledger/apply/entry.hpp"
#include "ledger/apply/registry.hpp"
#include "ledger/apply/submission.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/crypto/ed25519.hpp"
#include "ledger/crypto/sha256.hpp"
#include "tests/unit/ledger_world.hpp"

namespace json = boost::json;
using namespace rxl;

namespace {

Hash filled_hash(std::uint8_t value) {
    Hash out{};
    out.fill(value);
    return out;
}

// SHA-256 straight through OpenSSL's one-shot EVP call: independent of rxl::sha256_concat.
Hash evp_sha256(const Bytes& data) {
    Hash out{};
    unsigned int length = 0;
    REQUIRE(EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr) == 1);
    REQUIRE(length == out.size());
    return out;
}

void append(Bytes& out, std::span<const std::uint8_t> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

}  // namespace

// ---- entry encoding -----------------------------------------------------------------------------------

TEST_CASE("entry encoding: a genesis-like entry with an empty signature and key id") {
    EntryHeader entry;
    entry.seq = 0;
    entry.ordered_at_ms = 0;
    entry.submission_id = filled_hash(0x11);
    entry.kind = "governance";
    entry.submitter = "genesis";
    entry.key_id = "";
    entry.body_sha256 = filled_hash(0x22);
    entry.outcome = "accepted";

    const std::string expected =
        "52584c45"                                                          // magic "RXLE"
        "01"                                                                // version 1
        "0000000000000000"                                                  // seq 0
        "0000000000000000"                                                  // ordered_at 0
        "1111111111111111111111111111111111111111111111111111111111111111"  // submission id
        "000a" "676f7665726e616e6365"                                       // kind "governance"
        "0007" "67656e65736973"                                             // submitter "genesis"
        "0000"                                                              // key id ""
        "2222222222222222222222222222222222222222222222222222222222222222"  // body SHA-256
        "0000"                                                              // signature: none
        "0008" "6163636570746564";                                          // outcome "accepted"
    Bytes encoded = encode_entry(entry);
    CHECK(encoded.size() == 120);
    CHECK(to_hex(encoded) == expected);
    CHECK(to_hex(entry_leaf_hash(entry)) == "d1e12729f92fa6dd281cf97c9719d8dd9b1de3bf58fb0a5c545f95992ae2dffe");
}

TEST_CASE("entry encoding: a signed epcis entry with a rejection outcome") {
    EntryHeader entry;
    entry.seq = 7;
    entry.ordered_at_ms = 1'718'000'000'123;
    for (std::size_t i = 0; i < 32; ++i) entry.submission_id[i] = static_cast<std::uint8_t>(i);
    entry.kind = "epcis";
    entry.submitter = "acme";
    entry.key_id = "acme-1";
    for (std::size_t i = 0; i < 32; ++i) entry.body_sha256[i] = static_cast<std::uint8_t>(0xa0 + i);
    for (std::size_t i = 0; i < 64; ++i) entry.signature.push_back(static_cast<std::uint8_t>(0x40 + i));
    entry.outcome = "not-custodian";

    const std::string expected =
        "52584c45" "01"
        "0000000000000007"                                                  // seq 7
        "0000019000c79c7b"                                                  // 1718000000123 ms
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"  // submission id
        "0005" "6570636973"                                                 // "epcis"
        "0004" "61636d65"                                                   // "acme"
        "0006" "61636d652d31"                                               // "acme-1"
        "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"  // body SHA-256
        "0040"                                                              // 64-byte signature
        "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
        "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
        "000d" "6e6f742d637573746f6469616e";                                // "not-custodian"
    CHECK(to_hex(encode_entry(entry)) == expected);
    CHECK(to_hex(entry_leaf_hash(entry)) == "e129a718e74a8b802a7d2f46fa0eb323a48299b6f4007c876724aa8134338d59");
}

TEST_CASE("entry encoding: big sequence number, negative time, UTF-8 submitter") {
    EntryHeader entry;
    entry.seq = 0x0102030405060708;
    entry.ordered_at_ms = -2;  // two's complement, big-endian
    entry.submission_id = filled_hash(0xff);
    entry.kind = "alert";
    entry.submitter = "apotheke-m\xc3\xbcller";  // "apotheke-müller": 16 bytes, 15 characters
    entry.key_id = "k";
    entry.body_sha256 = filled_hash(0x00);
    entry.signature.assign(64, 0xee);
    entry.outcome = "accepted";

    const std::string expected =
        "52584c45" "01"
        "0102030405060708"
        "fffffffffffffffe"
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        "0005" "616c657274"                                                 // "alert"
        "0010" "61706f7468656b652d6dc3bc6c6c6572"                           // byte length, not characters
        "0001" "6b"
        "0000000000000000000000000000000000000000000000000000000000000000"
        "0040"
        "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
        "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
        "0008" "6163636570746564";
    CHECK(to_hex(encode_entry(entry)) == expected);
    CHECK(to_hex(entry_leaf_hash(entry)) == "dd50bea2556c626271f867fd258ee622dc2ef81e1096a4c8579e1de5625dab1b");

    // decode_entry reads the same bytes back, and nothing but them.
    Bytes encoded = encode_entry(entry);
    auto decoded = decode_entry(encoded);
    REQUIRE(decoded.ok());
    CHECK(decoded->seq == entry.seq);
    CHECK(decoded->ordered_at_ms == -2);
    CHECK(decoded->submitter == entry.submitter);
    CHECK(decoded->signature == entry.signature);
    CHECK(encode_entry(*decoded) == encoded);
    for (std::size_t cut : {std::size_t{0}, std::size_t{4}, std::size_t{40}, encoded.size() - 1}) {
        auto truncated = decode_entry(std::span<const std::uint8_t>(encoded.data(), cut));
        CHECK_MESSAGE(!truncated.ok(), "decoded a prefix of " << cut << " bytes");
    }
    Bytes longer = encoded;
    longer.push_back(0);
    CHECK(!decode_entry(longer).ok());
    Bytes other_version = encoded;
    other_version[4] = 0x02;
    CHECK(decode_entry(other_version).error().code == "bad-entry");
}

TEST_CASE("entry encoding: every field reaches the leaf hash") {
    EntryHeader base;
    base.seq = 3;
    base.ordered_at_ms = 1000;
    base.kind = "epcis";
    base.submitter = "acme";
    base.key_id = "acme-1";
    base.signature.assign(64, 0x01);
    base.outcome = "accepted";
    const Hash base_leaf = entry_leaf_hash(base);

    std::vector<EntryHeader> variants(9, base);
    variants[0].seq = 4;
    variants[1].ordered_at_ms = 1001;
    variants[2].submission_id[31] = 0x01;
    variants[3].kind = "pack";
    variants[4].submitter = "acmf";
    variants[5].key_id = "acme-2";
    variants[6].body_sha256[0] = 0x80;
    variants[7].signature[63] = 0x00;
    variants[8].outcome = "not-custodian";
    for (std::size_t i = 0; i < variants.size(); ++i) {
        INFO("variant ", i);
        CHECK(entry_leaf_hash(variants[i]) != base_leaf);
    }
    // Length prefixes keep field boundaries: moving a byte from one text field to the next changes the hash.
    EntryHeader shifted = base;
    shifted.submitter = "acm";
    shifted.key_id = "eacme-1";
    CHECK(entry_leaf_hash(shifted) != base_leaf);
}

TEST_CASE("entry leaf hash is SHA-256 of 0x00 and the encoding") {
    EntryHeader entry;
    entry.seq = 42;
    entry.kind = "epcis";
    entry.submitter = "pharma";
    entry.key_id = "p-1";
    entry.signature.assign(64, 0x5a);
    entry.outcome = "accepted";
    Bytes data{0x00};
    append(data, encode_entry(entry));
    CHECK(entry_leaf_hash(entry) == evp_sha256(data));
    CHECK(entry_leaf_hash(entry) == merkle::leaf_hash(encode_entry(entry)));
}

TEST_CASE("next_unit_link: SHA-256 of previous link, leaf hash and big-endian event index") {
    // Golden: the first link of a unit commissioned by event 0 of the entry whose leaf hash is 0x33…33.
    CHECK(to_hex(next_unit_link(zero_link, filled_hash(0x33), 0)) ==
          "b92d3579074d03765f6877fe8e826b4b83a7d5b350bd3fde8751106016405939");
    CHECK(to_hex(next_unit_link(filled_hash(0x44), filled_hash(0x55), 0x01020304)) ==
          "f4fc4e2bf76be8f2f564cc175e89c83effee7286e3ce02454154532811d9ae06");

    Hash previous = filled_hash(0x9c);
    Hash leaf = filled_hash(0x07);
    Bytes data;
    append(data, previous);
    append(data, leaf);
    data.insert(data.end(), {0x00, 0x00, 0x01, 0x2c});  // event index 300, big-endian
    CHECK(next_unit_link(previous, leaf, 300) == evp_sha256(data));
    CHECK(next_unit_link(previous, leaf, 301) != next_unit_link(previous, leaf, 300));
    CHECK(zero_link == Hash{});
}

// ---- submissions --------------------------------------------------------------------------------------

TEST_CASE("signing_message is the documented ASCII text") {
    CHECK(signing_message(SubmissionKind::epcis, "acme", "acme-key-1", "hello") ==
          "rxledger-submission/v1\n"
          "epcis\n"
          "acme\n"
          "acme-key-1\n"
          "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\n");
    CHECK(signing_message(SubmissionKind::governance, "genesis", "", "") ==
          "rxledger-submission/v1\ngovernance\ngenesis\n\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
    CHECK(signing_message(SubmissionKind::pack, "a", "b", "x").starts_with("rxledger-submission/v1\npack\n"));
    CHECK(signing_message(SubmissionKind::recall, "a", "b", "x").starts_with("rxledger-submission/v1\nrecall\n"));
    CHECK(signing_message(SubmissionKind::alert, "a", "b", "x").starts_with("rxledger-submission/v1\nalert\n"));
}

TEST_CASE("submission kinds round-trip through their names") {
    for (auto kind : {SubmissionKind::epcis, SubmissionKind::pack, SubmissionKind::recall, SubmissionKind::alert,
                      SubmissionKind::governance}) {
        auto parsed = parse_submission_kind(to_string(kind));
        REQUIRE(parsed.has_value());
        CHECK(*parsed == kind);
    }
    CHECK_FALSE(parse_submission_kind("EPCIS").has_value());
    CHECK_FALSE(parse_submission_kind("").has_value());
}

TEST_CASE("sign and verify a submission") {
    PrivateKey key = PrivateKey::generate();
    const PublicKey public_key = key.public_key();
    const std::string body = R"({"type":"EPCISDocument","n":1})";
    Submission signed_submission = sign_submission(SubmissionKind::epcis, "acme", "acme-key-1", body, key);

    CHECK(signed_submission.kind == SubmissionKind::epcis);
    CHECK(signed_submission.submitter == "acme");
    CHECK(signed_submission.key_id == "acme-key-1");
    CHECK(signed_submission.body == body);
    CHECK(verify_submission(signed_submission, public_key));
    // The signature is over exactly the documented message.
    CHECK(verify_ed25519(public_key, as_bytes(signing_message(SubmissionKind::epcis, "acme", "acme-key-1", body)),
                         signed_submission.signature));

    SUBCASE("another public key") { CHECK_FALSE(verify_submission(signed_submission, PrivateKey::generate().public_key())); }
    SUBCASE("another kind") {
        for (auto kind : {SubmissionKind::pack, SubmissionKind::recall, SubmissionKind::alert, SubmissionKind::governance}) {
            Submission changed = signed_submission;
            changed.kind = kind;
            CHECK_FALSE(verify_submission(changed, public_key));
        }
    }
    SUBCASE("another submitter") {
        Submission changed = signed_submission;
        changed.submitter = "acmf";
        CHECK_FALSE(verify_submission(changed, public_key));
    }
    SUBCASE("another key id") {
        Submission changed = signed_submission;
        changed.key_id = "acme-key-2";
        CHECK_FALSE(verify_submission(changed, public_key));
    }
    SUBCASE("a changed body byte") {
        Submission changed = signed_submission;
        changed.body[changed.body.size() - 2] = '2';
        CHECK_FALSE(verify_submission(changed, public_key));
    }
    SUBCASE("a body with one more byte") {
        Submission changed = signed_submission;
        changed.body += " ";
        CHECK_FALSE(verify_submission(changed, public_key));
    }
    SUBCASE("every flipped signature bit") {
        for (std::size_t bit = 0; bit < 64 * 8; bit += 37) {
            Submission changed = signed_submission;
            changed.signature[bit / 8] = static_cast<std::uint8_t>(changed.signature[bit / 8] ^ (1u << (bit % 8)));
            INFO("bit ", bit);
            CHECK_FALSE(verify_submission(changed, public_key));
        }
    }
}

TEST_CASE("submission_id is SHA-256 of the signing message and the signature") {
    PrivateKey key = PrivateKey::generate();
    Submission first = sign_submission(SubmissionKind::epcis, "acme", "acme-key-1", "body-1", key);
    Submission again = sign_submission(SubmissionKind::epcis, "acme", "acme-key-1", "body-1", key);

    Bytes data;
    append(data, as_bytes(signing_message(SubmissionKind::epcis, "acme", "acme-key-1", "body-1")));
    append(data, first.signature);
    CHECK(submission_id(first) == evp_sha256(data));

    // Ed25519 is deterministic: the same bytes signed twice are the same submission.
    CHECK(again.signature == first.signature);
    CHECK(submission_id(again) == submission_id(first));
    // The parsed document rides along unsigned and is not part of the id.
    again.parsed_document = std::make_shared<const epcis::Document>();
    CHECK(submission_id(again) == submission_id(first));

    std::vector<Submission> changed;
    changed.push_back(sign_submission(SubmissionKind::pack, "acme", "acme-key-1", "body-1", key));
    changed.push_back(sign_submission(SubmissionKind::epcis, "acmf", "acme-key-1", "body-1", key));
    changed.push_back(sign_submission(SubmissionKind::epcis, "acme", "acme-key-2", "body-1", key));
    changed.push_back(sign_submission(SubmissionKind::epcis, "acme", "acme-key-1", "body-2", key));
    changed.push_back(sign_submission(SubmissionKind::epcis, "acme", "acme-key-1", "body-1", PrivateKey::generate()));
    Submission flipped = first;
    flipped.signature[0] = static_cast<std::uint8_t>(flipped.signature[0] ^ 0x01);
    changed.push_back(flipped);
    for (std::size_t i = 0; i < changed.size(); ++i) {
        INFO("change ", i);
        CHECK(submission_id(changed[i]) != submission_id(first));
    }
}

// ---- genesis ------------------------------------------------------------------------------------------

namespace {

// Parses a genesis object that must be refused, and returns the refusal.
Error refused(const json::object& genesis) {
    auto parsed = parse_genesis(json::serialize(genesis));
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().kind == ErrorKind::invalid_input);
    CHECK(parsed.error().code == "invalid-genesis");
    return parsed.error();
}

json::object& participant_at(json::object& genesis, std::size_t index) {
    return genesis.at("participants").as_array().at(index).as_object();
}

}  // namespace

TEST_CASE("parse_genesis reads a valid genesis file") {
    test::Consortium people;
    json::object genesis = people.genesis_object();
    PrivateKey node_key = PrivateKey::generate();
    genesis["nodes"] = json::array{json::object{{"id", "node-a"},
                                                {"participant", "distrib"},
                                                {"public_key", to_base64(node_key.public_key())},
                                                {"url", "https://node-a.example:8443"}}};
    auto parsed = parse_genesis(json::serialize(genesis));
    REQUIRE(parsed.ok());
    CHECK(parsed->consortium == "test-consortium");
    REQUIRE(parsed->participants.size() == 4);

    const Participant& acme = parsed->participants[0];
    CHECK(acme.id == "acme");
    CHECK(acme.name == "acme Ltd");
    CHECK(acme.role == Role::manufacturer);
    CHECK(acme.company_prefixes == std::vector<std::string>{"0614141"});
    CHECK(acme.glns == people.acme.glns);
    REQUIRE(acme.keys.size() == 1);
    CHECK(acme.keys[0].key_id == "acme-key-1");
    CHECK(acme.keys[0].public_key == people.acme.key.public_key());

    CHECK(parsed->participants[1].role == Role::wholesaler);
    CHECK(parsed->participants[2].role == Role::pharmacy);
    CHECK(parsed->participants[3].role == Role::regulator);
    CHECK(parsed->participants[2].company_prefixes.empty());

    REQUIRE(parsed->nodes.size() == 1);
    CHECK(parsed->nodes[0].id == "node-a");
    CHECK(parsed->nodes[0].participant == "distrib");
    CHECK(parsed->nodes[0].public_key == node_key.public_key());
    CHECK(parsed->nodes[0].url == "https://node-a.example:8443");

    // A name is optional and defaults to the id.
    participant_at(genesis, 3).erase("name");
    auto without_name = parse_genesis(json::serialize(genesis));
    REQUIRE(without_name.ok());
    CHECK(without_name->participants[3].name == "agency");
}

TEST_CASE("parse_genesis refuses each fault and names the field") {
    test::Consortium people;
    json::object genesis = people.genesis_object();

    SUBCASE("not JSON") {
        auto parsed = parse_genesis("{\"format\":");
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().code == "invalid-genesis");
    }
    SUBCASE("bad format") {
        genesis["format"] = "rxledger-genesis/v2";
        CHECK(refused(genesis).pointer == "/format");
    }
    SUBCASE("missing format") {
        genesis.erase("format");
        CHECK(refused(genesis).pointer == "/format");
    }
    SUBCASE("missing consortium") {
        genesis.erase("consortium");
        CHECK(refused(genesis).pointer == "/consortium");
    }
    SUBCASE("unknown role") {
        participant_at(genesis, 1)["role"] = "distributor";
        CHECK(refused(genesis).pointer == "/participants/1/role");
    }
    SUBCASE("bad GLN check digit") {
        std::string gln = people.pharma.gln();
        gln.back() = gln.back() == '9' ? '0' : static_cast<char>(gln.back() + 1);
        participant_at(genesis, 2)["glns"] = json::array{json::value(gln)};
        Error error = refused(genesis);
        CHECK(error.pointer == "/participants/2/glns");
        CHECK(error.detail.find(gln) != std::string::npos);
    }
    SUBCASE("GLN of the wrong length") {
        participant_at(genesis, 2)["glns"] = json::array{json::value(test::with_check_digit("50123450000"))};
        CHECK(refused(genesis).pointer == "/participants/2/glns");
    }
    SUBCASE("company prefix not 4 to 12 digits") {
        participant_at(genesis, 0)["company_prefixes"] = json::array{json::value("061")};
        CHECK(refused(genesis).pointer == "/participants/0/company_prefixes");
        participant_at(genesis, 0)["company_prefixes"] = json::array{json::value("06141A1")};
        CHECK(refused(genesis).pointer == "/participants/0/company_prefixes");
    }
    SUBCASE("duplicate key id") {
        participant_at(genesis, 3)["keys"].as_array()[0].as_object()["id"] = "acme-key-1";
        Error error = refused(genesis);
        CHECK(error.pointer == "/participants/3/keys");
        CHECK(error.detail.find("acme-key-1") != std::string::npos);
    }
    SUBCASE("duplicate GLN") {
        participant_at(genesis, 2)["glns"] = json::array{json::value(people.distrib.glns[1])};
        Error error = refused(genesis);
        CHECK(error.pointer == "/participants/2/glns");
        CHECK(error.detail.find(people.distrib.glns[1]) != std::string::npos);
    }
    SUBCASE("duplicate participant id") {
        participant_at(genesis, 2)["id"] = "distrib";
        CHECK(refused(genesis).pointer == "/participants/2/id");
    }
    SUBCASE("key of 31 bytes") {
        Bytes short_key(31, 0x42);
        participant_at(genesis, 1)["keys"].as_array()[0].as_object()["public_key"] = to_base64(short_key);
        CHECK(refused(genesis).pointer == "/participants/1/keys/0/public_key");
    }
    SUBCASE("key of 33 bytes") {
        Bytes long_key(33, 0x42);
        participant_at(genesis, 0)["keys"].as_array()[0].as_object()["public_key"] = to_base64(long_key);
        CHECK(refused(genesis).pointer == "/participants/0/keys/0/public_key");
    }
    SUBCASE("key that is not base64") {
        participant_at(genesis, 0)["keys"].as_array()[0].as_object()["public_key"] = "not base64!";
        CHECK(refused(genesis).pointer == "/participants/0/keys/0/public_key");
    }
    SUBCASE("keys missing") {
        participant_at(genesis, 3).erase("keys");
        CHECK(refused(genesis).pointer == "/participants/3/keys");
    }
    SUBCASE("node of an unknown participant") {
        genesis["nodes"] = json::array{json::object{
            {"id", "node-x"}, {"participant", "nobody"}, {"public_key", to_base64(PrivateKey::generate().public_key())}}};
        CHECK(refused(genesis).pointer == "/nodes/0/participant");
    }
}

TEST_CASE("roles round-trip through their names") {
    for (auto role : {Role::manufacturer, Role::wholesaler, Role::pharmacy, Role::regulator}) {
        auto parsed = parse_role(to_string(role));
        REQUIRE(parsed.has_value());
        CHECK(*parsed == role);
    }
    CHECK_FALSE(parse_role("Manufacturer").has_value());
}

TEST_CASE("the registry finds participants by id, key and GLN, and checks company prefixes") {
    test::Consortium people;
    auto genesis = parse_genesis(people.genesis_json());
    REQUIRE(genesis.ok());
    Registry registry;
    for (auto& participant : genesis->participants) registry.add(participant);

    const Participant* acme = registry.find("acme");
    REQUIRE(acme != nullptr);
    CHECK(acme->role == Role::manufacturer);
    CHECK(registry.find("nobody") == nullptr);

    PublicKey key{};
    const Participant* by_key = registry.find_by_key("distrib-key-1", &key);
    REQUIRE(by_key != nullptr);
    CHECK(by_key->id == "distrib");
    CHECK(key == people.distrib.key.public_key());
    CHECK(registry.find_by_key("unknown-key", &key) == nullptr);

    const Participant* by_gln = registry.find_by_gln(people.distrib.glns[1]);
    REQUIRE(by_gln != nullptr);
    CHECK(by_gln->id == "distrib");
    CHECK(registry.find_by_gln(test::stranger_gln()) == nullptr);

    CHECK(Registry::owns_gtin(*acme, test::acme_gtin()));
    CHECK_FALSE(Registry::owns_gtin(*acme, test::foreign_gtin()));
    CHECK(Registry::owns_sscc(*acme, test::acme_sscc(1)));
    CHECK_FALSE(Registry::owns_sscc(*acme, test::distrib_sscc(1)));
}
