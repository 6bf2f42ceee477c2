// Byte strings and their text spellings (hex, base64).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rxl {

using Bytes = std::vector<std::uint8_t>;

// Lower-case hex of the bytes.
std::string to_hex(std::span<const std::uint8_t> bytes);
// Bytes of a hex string (either case); nullopt if the text is not an even number of hex digits.
std::optional<Bytes> from_hex(std::string_view text);

// Standard base64 with padding (RFC 4648 section 4).
std::string to_base64(std::span<const std::uint8_t> bytes);
// Decodes standard base64 with padding; nullopt on any other character or bad padding.
std::optional<Bytes> from_base64(std::string_view text);

inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
inline std::string to_string(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace rxl
