// SHA-256 through OpenSSL.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

namespace rxl {

using Hash = std::array<std::uint8_t, 32>;

Hash sha256(std::span<const std::uint8_t> data);
Hash sha256(std::string_view data);
// SHA-256 of the concatenation of the parts, without copying them together.
Hash sha256_concat(std::initializer_list<std::span<const std::uint8_t>> parts);
// The hash that decoded text (hex, base64) holds; nullopt unless it is exactly 32 bytes.
std::optional<Hash> hash_from_bytes(std::span<const std::uint8_t> bytes);

}  // namespace rxl
