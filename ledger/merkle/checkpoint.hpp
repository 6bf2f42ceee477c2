// Checkpoints: C2SP tlog-checkpoint bodies, signed as C2SP signed notes with Ed25519 (type 0x01).
// Pure: no I/O. Specifications: c2sp.org/tlog-checkpoint and c2sp.org/signed-note.
//
// Checkpoint body (the note text), exactly:
//   <origin>\n<tree size, ASCII decimal, no leading zeros>\n<base64 of the 32-byte root>\n
// optionally followed by non-empty extension lines, each ending in \n. rxledger writes none, but
// parse_checkpoint keeps any it reads so that format_checkpoint(parse_checkpoint(t)) == t.
//
// Signed note:
//   note           = text "\n" 1*signature-line      ; text ends in "\n"; split at the LAST blank line
//   signature-line = U+2014 " " key-name " " base64(key id (4 bytes, big-endian) || signature) "\n"
// Key names are non-empty and contain no Unicode space and no '+'. The whole note is valid UTF-8 with no
// ASCII control character other than newline. An Ed25519 signature covers the text, final newline
// included.
//   key id       = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]
//   verifier key = key name "+" hex(key id) "+" base64(0x01 || 32-byte public key)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/core/result.hpp"
#include "ledger/crypto/ed25519.hpp"
#include "ledger/crypto/sha256.hpp"

namespace rxl::merkle {

// Signatures accepted in one note. The signed-note spec requires accepting at least 16; a consortium
// checkpoint carries one per node plus witnesses, far below this.
inline constexpr std::size_t note_signatures_max = 100;
// Largest note accepted, in bytes: ample for 100 post-quantum signatures (about 5 KB each).
inline constexpr std::size_t note_bytes_max = 1024 * 1024;

// --- Keys --------------------------------------------------------------------------------------------
// Signature type byte of Ed25519 in signed notes.
inline constexpr std::uint8_t note_ed25519_type = 0x01;

// True if `name` may name a note key: non-empty, valid UTF-8, no Unicode space, no '+', no control byte.
bool is_valid_key_name(std::string_view name);

// The recommended key id of an Ed25519 key: the first 4 bytes of the SHA-256 above, big-endian.
std::uint32_t ed25519_key_id(std::string_view name, const PublicKey& public_key);

// A key a verifier trusts, by name.
struct VerifierKey {
    std::string name;
    std::uint32_t key_id = 0;
    PublicKey public_key{};
    bool operator==(const VerifierKey&) const = default;
};

// The verifier key for `public_key` under `name`; an error if the name is not a valid key name.
Result<VerifierKey> make_verifier_key(std::string_view name, const PublicKey& public_key);
// The text form, name+hex(key id)+base64(0x01 || public key).
std::string format_verifier_key(const VerifierKey& key);
// Parses the text form, split at the first two '+'. Errors (invalid_input, "bad-verifier-key") for a bad
// name, a key id that is not 8 hex digits, a key that is not 0x01 followed by 32 bytes, or a key id
// that is not the one the name and key give.
Result<VerifierKey> parse_verifier_key(std::string_view text);

// --- Signing and verifying notes ---------------------------------------------------------------------
// Signs `text` (a valid note text: ends in newline, UTF-8, no control characters but newline) and
// returns the signed note text + "\n" + one signature line. Errors for a bad text or key name.
Result<std::string> sign_note(std::string_view text, std::string_view key_name, const PrivateKey& key);
// Adds one more signature line to an already signed note (a cosignature). Errors if `signed_note` is
// malformed; existing signatures are kept as they are, unchecked.
Result<std::string> add_signature(std::string_view signed_note, std::string_view key_name, const PrivateKey& key);

struct VerifiedNote {
    std::string text;                         // the signed text, final newline included
    std::vector<std::size_t> verified_keys;  // indexes into the keys passed in, ascending, each once
};

// Verifies a signed note against trusted keys. A signature line whose (name, key id) pair matches no key
// is ignored, as the spec requires, even if the name or the id alone matches. Errors:
//   invalid_input "malformed-note": not a signed note (see the grammar above), or over the limits;
//   unauthenticated "bad-signature": a signature by a trusted key does not verify (the whole note is
//     rejected: the spec says clients SHOULD);
//   unauthenticated "no-trusted-signature": no trusted key signed the note.
// On success, verified_keys lists every trusted key that signed (a key signing twice counts once).
Result<VerifiedNote> verify_note(std::string_view note, std::span<const VerifierKey> keys);

// --- Checkpoint bodies -------------------------------------------------------------------------------
struct Checkpoint {
    std::string origin;                        // non-empty, no control characters
    std::uint64_t size = 0;                    // leaves in the tree
    Hash root{};                               // RFC 9162 root at `size`
    std::vector<std::string> extension_lines;  // opaque, each non-empty, without its newline
    bool operator==(const Checkpoint&) const = default;
};

// The note text of a checkpoint. Precondition: origin and extension lines are non-empty single lines
// without control characters.
std::string format_checkpoint(const Checkpoint& checkpoint);
// Parses a checkpoint body strictly. Errors (invalid_input, "malformed-checkpoint") for fewer than three
// lines, a missing final newline, an empty origin or extension line, a size with a sign, a leading
// zero, a non-digit or more than 64 bits, or a root that is not canonical padded base64 of 32 bytes.
Result<Checkpoint> parse_checkpoint(std::string_view text);

// Signs a checkpoint as a note with one signature (the log's, named as the log's key).
Result<std::string> sign_checkpoint(const Checkpoint& checkpoint, std::string_view key_name,
                                    const PrivateKey& key);

struct VerifiedCheckpoint {
    Checkpoint checkpoint;
    std::vector<std::size_t> verified_keys;  // as in VerifiedNote
};
// verify_note, then parse_checkpoint of its text.
Result<VerifiedCheckpoint> verify_checkpoint(std::string_view note, std::span<const VerifierKey> keys);

}  // namespace rxl::merkle
