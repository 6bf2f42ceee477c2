// Entries: submissions after ordering, and their one binary encoding (docs/entry-format.md).
//
// The encoding's bytes are the Merkle leaf data, so they can never change silently: tests pin them with
// golden vectors. Version 1:
//
//   entry      = magic version seq ordered_at submission_id kind submitter key_id body_sha256 signature outcome
//   magic      = "RXLE"                       4 bytes
//   version    = 0x01                         1 byte
//   seq        = uint64, big-endian           8 bytes
//   ordered_at = int64 ms since 1970 UTC, big-endian, two's complement   8 bytes
//   submission_id = 32 bytes
//   kind, submitter, key_id, outcome = uint16 big-endian length ‖ UTF-8 bytes
//   body_sha256   = 32 bytes
//   signature     = uint16 big-endian length ‖ bytes (64 for Ed25519; 0 for the genesis entry)
//
// outcome is "accepted" or the stable code of the rule that rejected the entry.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "ledger/apply/submission.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/crypto/sha256.hpp"

namespace rxl {

inline constexpr std::string_view outcome_accepted = "accepted";
// The outcome of an entry whose effects PostgreSQL refused to store (OrderedSubmission::unstorable).
inline constexpr std::string_view outcome_unstorable = "unstorable";

struct EntryHeader {
    std::uint64_t seq = 0;
    std::int64_t ordered_at_ms = 0;
    Hash submission_id{};
    std::string kind;
    std::string submitter;
    std::string key_id;
    Hash body_sha256{};
    Bytes signature;  // 64 bytes, or empty for the genesis entry
    std::string outcome;
};

Bytes encode_entry(const EntryHeader& entry);
// The inverse of encode_entry, for checking leaf data offline (receipts); "bad-entry" if the bytes are not
// exactly one version-1 entry.
Result<EntryHeader> decode_entry(std::span<const std::uint8_t> data);
// The Merkle leaf hash of an entry: SHA-256(0x00 ‖ encode_entry(entry)).
Hash entry_leaf_hash(const EntryHeader& entry);

// Per-unit chain: link = SHA-256(previous link ‖ leaf hash ‖ uint32 big-endian event index); the first
// previous link, at commissioning, is 32 zero bytes.
Hash next_unit_link(const Hash& previous_link, const Hash& leaf_hash, std::uint32_t event_index);
inline constexpr Hash zero_link{};

}  // namespace rxl
