// Receipts: what a pharmacist or regulator keeps to prove, offline and without trusting any server,
// that a unit's events are on the ledger.
//
// A receipt (format "rxledger-receipt/v1", JSON) holds a checkpoint signed by a node, and for each entry
// of the unit's chain its leaf data (the entry's encoding, docs/entry-format.md), the event index and
// unit link it produced, and an inclusion proof up to the checkpoint's size. Checking one needs only the
// consortium's verifier key: the signature binds the root, each proof binds a leaf to that root, and the
// unit chain, recomputed from 32 zero bytes, binds the links in order to those leaves.
//
// What a receipt proves: these entries, exactly as encoded, are on the ledger at the checkpoint's size,
// in this order in the unit's chain. What it does not: that no later entry touched the unit (a receipt
// is a snapshot at its checkpoint; ask a node for a newer one), nor the bodies, which it carries only as
// their SHA-256 inside the leaf data.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/apply/entry.hpp"
#include "ledger/merkle/checkpoint.hpp"

namespace rxl {

inline constexpr std::string_view receipt_format = "rxledger-receipt/v1";

struct ReceiptSubject {
    std::string gtin;
    std::string serial;
    Hash chain_link{};  // the unit's head link at the checkpoint
};

struct ReceiptEntry {
    EntryHeader entry;
    std::uint32_t event_index = 0;
    Hash unit_link{};
    std::vector<Hash> inclusion_proof;  // up to the checkpoint's size
};

boost::json::object make_receipt(std::string_view checkpoint_note, const ReceiptSubject& subject,
                                 const std::vector<ReceiptEntry>& entries);

struct ReceiptCheck {
    bool ok = false;
    std::vector<std::string> checked;  // one line per thing that held, in the order checked
    std::string failure;               // when !ok: exactly what failed, naming the entry or the part
};

// Checks a receipt: either a receipt object or any JSON object that carries one under "receipt" (the
// answer of GET /v1/units/{gtin}/{serial}/history?receipt=1). `keys` are the verifier keys trusted to
// sign checkpoints.
ReceiptCheck verify_receipt(std::string_view json_text, std::span<const merkle::VerifierKey> keys);

}  // namespace rxl
