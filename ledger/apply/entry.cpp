#include "ledger/apply/entry.hpp"

#include <array>

#include "ledger/core/assert.hpp"

namespace rxl {

namespace {
void put_u16(Bytes& out, std::size_t value) {
    RXL_ASSERT(value <= 0xffff);
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
}
void put_u64(Bytes& out, std::uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}
void put_text(Bytes& out, std::string_view text) {
    put_u16(out, text.size());
    out.insert(out.end(), text.begin(), text.end());
}
}  // namespace

Bytes encode_entry(const EntryHeader& entry) {
    Bytes out;
    out.reserve(160 + entry.kind.size() + entry.submitter.size() + entry.key_id.size() + entry.outcome.size());
    out.insert(out.end(), {'R', 'X', 'L', 'E', 0x01});
    put_u64(out, entry.seq);
    put_u64(out, static_cast<std::uint64_t>(entry.ordered_at_ms));
    out.insert(out.end(), entry.submission_id.begin(), entry.submission_id.end());
    put_text(out, entry.kind);
    put_text(out, entry.submitter);
    put_text(out, entry.key_id);
    out.insert(out.end(), entry.body_sha256.begin(), entry.body_sha256.end());
    put_u16(out, entry.signature.size());
    out.insert(out.end(), entry.signature.begin(), entry.signature.end());
    put_text(out, entry.outcome);
    return out;
}

Hash entry_leaf_hash(const EntryHeader& entry) {
    static constexpr std::array<std::uint8_t, 1> leaf_prefix{0x00};
    Bytes data = encode_entry(entry);
    return sha256_concat({leaf_prefix, data});
}

Hash next_unit_link(const Hash& previous_link, const Hash& leaf_hash, std::uint32_t event_index) {
    std::array<std::uint8_t, 4> index{static_cast<std::uint8_t>(event_index >> 24),
                                      static_cast<std::uint8_t>(event_index >> 16),
                                      static_cast<std::uint8_t>(event_index >> 8),
                                      static_cast<std::uint8_t>(event_index)};
    return sha256_concat({previous_link, leaf_hash, index});
}

}  // namespace rxl
