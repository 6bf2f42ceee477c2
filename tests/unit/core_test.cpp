// ledger/core and ledger/crypto: byte spellings, SHA-256, Ed25519.
#include <doctest/doctest.h>

#include "ledger/core/bytes.hpp"
#include "ledger/crypto/ed25519.hpp"
#include "ledger/crypto/sha256.hpp"

using namespace rxl;

TEST_CASE("hex and base64 round trips and refusals") {
    Bytes data{0x00, 0x01, 0xfe, 0xff, 0x7f};
    CHECK(to_hex(data) == "0001feff7f");
    CHECK(from_hex("0001FEff7f") == data);
    CHECK_FALSE(from_hex("abc").has_value());
    CHECK_FALSE(from_hex("zz").has_value());
    // RFC 4648 section 10 test vectors.
    CHECK(to_base64(as_bytes("")) == "");
    CHECK(to_base64(as_bytes("f")) == "Zg==");
    CHECK(to_base64(as_bytes("fo")) == "Zm8=");
    CHECK(to_base64(as_bytes("foo")) == "Zm9v");
    CHECK(to_base64(as_bytes("foobar")) == "Zm9vYmFy");
    CHECK(from_base64("Zm9vYg==") == Bytes{'f', 'o', 'o', 'b'});
    CHECK_FALSE(from_base64("Zm9vYg=").has_value());
    CHECK_FALSE(from_base64("Zm=vYg==").has_value());
    CHECK_FALSE(from_base64("Zm9v!g==").has_value());
}

TEST_CASE("SHA-256 known answers") {
    CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_concat({as_bytes("ab"), as_bytes("c")}) == sha256("abc"));
}

TEST_CASE("Ed25519: RFC 8032 test 1, PEM round trip, and tampering") {
    auto seed = from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    auto key = PrivateKey::from_seed(*seed);
    REQUIRE(key.ok());
    CHECK(to_hex(key->public_key()) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    Signature signature = key->sign({});
    CHECK(to_hex(signature) ==
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    CHECK(verify_ed25519(key->public_key(), {}, signature));
    signature[10] ^= 0x01;
    CHECK_FALSE(verify_ed25519(key->public_key(), {}, signature));

    auto reread = PrivateKey::from_pem(key->to_pem());
    REQUIRE(reread.ok());
    CHECK(reread->public_key() == key->public_key());
    CHECK_FALSE(PrivateKey::from_pem("not a key").ok());
}
