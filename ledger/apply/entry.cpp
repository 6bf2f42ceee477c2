#include "ledger/apply/entry.hpp"

#include <algorithm>
#include <array>
#include <span>

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
// Reads the encoding front to back; any read past the end leaves `ok` false.
struct Reader {
    std::span<const std::uint8_t> data;
    std::size_t at = 0;
    bool ok = true;

    std::span<const std::uint8_t> take(std::size_t count) {
        if (!ok || data.size() - at < count) {
            ok = false;
            return {};
        }
        auto out = data.subspan(at, count);
        at += count;
        return out;
    }
    std::uint64_t u64() {
        std::uint64_t value = 0;
        for (auto byte : take(8)) value = (value << 8) | byte;
        return value;
    }
    std::size_t u16() {
        std::size_t value = 0;
        for (auto byte : take(2)) value = (value << 8) | byte;
        return value;
    }
    Hash hash() {
        Hash out{};
        auto bytes = take(out.size());
        if (ok) std::copy(bytes.begin(), bytes.end(), out.begin());
        return out;
    }
    std::string text() {
        auto bytes = take(u16());
        return std::string(bytes.begin(), bytes.end());
    }
};

}  // namespace

Result<EntryHeader> decode_entry(std::span<const std::uint8_t> data) {
    static constexpr std::array<std::uint8_t, 5> magic{'R', 'X', 'L', 'E', 0x01};
    if (data.size() < magic.size() || !std::equal(magic.begin(), magic.end(), data.begin())) {
        return make_error(ErrorKind::invalid_input, "bad-entry", "the leaf data is not an rxledger entry (version 1)");
    }
    Reader in{data, magic.size()};
    EntryHeader entry;
    entry.seq = in.u64();
    entry.ordered_at_ms = static_cast<std::int64_t>(in.u64());
    entry.submission_id = in.hash();
    entry.kind = in.text();
    entry.submitter = in.text();
    entry.key_id = in.text();
    entry.body_sha256 = in.hash();
    auto signature = in.take(in.u16());
    entry.signature.assign(signature.begin(), signature.end());
    entry.outcome = in.text();
    if (!in.ok || in.at != data.size()) {
        return make_error(ErrorKind::invalid_input, "bad-entry", "the leaf data is truncated or has bytes after the entry");
    }
    return entry;
}

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
