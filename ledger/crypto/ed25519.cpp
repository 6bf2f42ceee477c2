#include "ledger/crypto/ed25519.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ledger/core/assert.hpp"

namespace rxl {

namespace {
struct KeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct ContextDeleter {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
}  // namespace

struct PrivateKey::Impl {
    KeyPtr key;
};

PrivateKey::PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

PrivateKey PrivateKey::generate() {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    RXL_ASSERT(key != nullptr);
    return PrivateKey(std::make_unique<Impl>(Impl{KeyPtr(key)}));
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    RXL_ASSERT(bio != nullptr);
    KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
        return make_error(ErrorKind::invalid_input, "bad-private-key", "the key file is not an Ed25519 private key in PEM");
    }
    return PrivateKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

Result<PrivateKey> PrivateKey::from_seed(std::span<const std::uint8_t> seed) {
    if (seed.size() != 32) {
        return make_error(ErrorKind::invalid_input, "bad-private-key", "an Ed25519 seed is 32 bytes");
    }
    KeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    RXL_ASSERT(key != nullptr);
    return PrivateKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

std::string PrivateKey::to_pem() const {
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
    RXL_ASSERT(PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
    char* data = nullptr;
    long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(length));
}

PublicKey PrivateKey::public_key() const {
    PublicKey out{};
    std::size_t length = out.size();
    RXL_ASSERT(EVP_PKEY_get_raw_public_key(impl_->key.get(), out.data(), &length) == 1 && length == out.size());
    return out;
}

Signature PrivateKey::sign(std::span<const std::uint8_t> message) const {
    std::unique_ptr<EVP_MD_CTX, ContextDeleter> context(EVP_MD_CTX_new());
    RXL_ASSERT(EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, impl_->key.get()) == 1);
    Signature out{};
    std::size_t length = out.size();
    RXL_ASSERT(EVP_DigestSign(context.get(), out.data(), &length, message.data(), message.size()) == 1);
    RXL_ASSERT(length == out.size());
    return out;
}

bool verify_ed25519(const PublicKey& public_key, std::span<const std::uint8_t> message, const Signature& signature) {
    KeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
    if (!key) return false;
    std::unique_ptr<EVP_MD_CTX, ContextDeleter> context(EVP_MD_CTX_new());
    RXL_ASSERT(context != nullptr);
    if (EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
    return EVP_DigestVerify(context.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
}

}  // namespace rxl
