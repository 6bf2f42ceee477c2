// The etcd log value format and key ranges (server/consortium): what every node must read alike.
#include <doctest/doctest.h>

#include "ledger/apply/submission.hpp"
#include "ledger/crypto/ed25519.hpp"
#include "server/consortium/etcd_client.hpp"
#include "server/consortium/etcd_orderer.hpp"

using namespace rxl;
using namespace rxl::consortium;

TEST_CASE("a log value carries the signed submission and its ordering time, byte-exact") {
    PrivateKey key = PrivateKey::generate();
    std::string body = std::string("{\"x\":1}\n") + std::string(1, '\0') + "\xff binary is kept";
    Submission submission = sign_submission(SubmissionKind::epcis, "acme-pharma", "acme-pharma-1", body, key);
    std::string value = encode_log_value(submission, 1'763'000'000'123);
    auto decoded = decode_log_value(value);
    REQUIRE(decoded.ok());
    CHECK(decoded->ordered_at_ms == 1'763'000'000'123);
    CHECK(decoded->submission.kind == SubmissionKind::epcis);
    CHECK(decoded->submission.submitter == "acme-pharma");
    CHECK(decoded->submission.key_id == "acme-pharma-1");
    CHECK(decoded->submission.body == body);
    CHECK(decoded->submission.signature == submission.signature);
    CHECK(submission_id(decoded->submission) == submission_id(submission));

    SUBCASE("every truncation and any trailing byte is refused") {
        for (std::size_t length = 0; length < value.size(); ++length) {
            auto cut = decode_log_value(std::string_view(value).substr(0, length));
            REQUIRE_FALSE(cut.ok());
            CHECK(cut.error().code == "bad-log-value");
        }
        CHECK_FALSE(decode_log_value(value + "x").ok());
    }
    SUBCASE("another magic or version is refused") {
        std::string other = value;
        other[4] = '\x02';
        CHECK_FALSE(decode_log_value(other).ok());
        other = value;
        other[0] = 'X';
        CHECK_FALSE(decode_log_value(other).ok());
    }
}

TEST_CASE("the range end of a prefix covers exactly the keys that start with it") {
    CHECK(prefix_range_end("/rxledger/dev/log/") == "/rxledger/dev/log0");
    CHECK(prefix_range_end("a\xff") == "b");
    CHECK(prefix_range_end(std::string("\xff\xff")) == std::string(1, '\0'));
}
