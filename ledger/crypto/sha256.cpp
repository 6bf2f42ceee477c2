#include "ledger/crypto/sha256.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "ledger/core/assert.hpp"

namespace rxl {

namespace {
struct ContextDeleter {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
}  // namespace

Hash sha256(std::span<const std::uint8_t> data) {
    Hash out{};
    unsigned int length = 0;
    int ok = EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr);
    RXL_ASSERT(ok == 1 && length == out.size());
    return out;
}

std::optional<Hash> hash_from_bytes(std::span<const std::uint8_t> bytes) {
    if (bytes.size() != Hash().size()) return std::nullopt;
    Hash hash{};
    std::copy(bytes.begin(), bytes.end(), hash.begin());
    return hash;
}

Hash sha256(std::string_view data) {
    return sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

Hash sha256_concat(std::initializer_list<std::span<const std::uint8_t>> parts) {
    // One context per thread: allocating an EVP_MD_CTX per hash costs more than hashing a Merkle node.
    thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> context(EVP_MD_CTX_new());
    RXL_ASSERT(context != nullptr);
    RXL_ASSERT(EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) == 1);
    for (auto part : parts) RXL_ASSERT(EVP_DigestUpdate(context.get(), part.data(), part.size()) == 1);
    Hash out{};
    unsigned int length = 0;
    RXL_ASSERT(EVP_DigestFinal_ex(context.get(), out.data(), &length) == 1 && length == out.size());
    return out;
}

}  // namespace rxl
