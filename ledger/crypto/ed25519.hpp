// Ed25519 keys, signatures and verification through OpenSSL 3.
//
// Private keys are stored as PKCS#8 PEM files (what `openssl genpkey -algorithm ed25519` writes);
// public keys travel as their raw 32 bytes, usually base64.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "ledger/core/result.hpp"

namespace rxl {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

class PrivateKey {
public:
    // A fresh random key.
    static PrivateKey generate();
    // From PKCS#8 PEM text; an error if the text is not an Ed25519 private key.
    static Result<PrivateKey> from_pem(std::string_view pem);
    // From the 32-byte raw seed.
    static Result<PrivateKey> from_seed(std::span<const std::uint8_t> seed);

    std::string to_pem() const;
    PublicKey public_key() const;
    Signature sign(std::span<const std::uint8_t> message) const;

    PrivateKey(PrivateKey&&) noexcept;
    PrivateKey& operator=(PrivateKey&&) noexcept;
    ~PrivateKey();

private:
    struct Impl;
    explicit PrivateKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// True if signature is a valid Ed25519 signature of message under public_key.
bool verify_ed25519(const PublicKey& public_key, std::span<const std::uint8_t> message, const Signature& signature);

}  // namespace rxl
