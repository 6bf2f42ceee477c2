// Participant key files: a PEM Ed25519 private key preceded by two label lines that say whose it is.
//
//   rxledger-participant: acme-pharma
//   rxledger-key-id: acme-pharma-1
//   -----BEGIN PRIVATE KEY-----
//   …
//
// OpenSSL's PEM reader skips the label lines, so `openssl pkey -in FILE` still reads the key.
#pragma once

#include <string>

#include "ledger/crypto/ed25519.hpp"
#include "ledger/core/result.hpp"

namespace rxl::cli {

struct KeyFile {
    std::string participant;
    std::string key_id;
    PrivateKey key;
};

Result<KeyFile> read_key_file(const std::string& path);
// Writes the file with mode 0600.
Status write_key_file(const std::string& path, const std::string& participant, const std::string& key_id,
                      const PrivateKey& key);

}  // namespace rxl::cli
