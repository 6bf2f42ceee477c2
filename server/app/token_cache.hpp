// TokenCache: what the node's database said about a token, remembered for a short time, so that reads
// (tens of thousands a second) do not each query PostgreSQL.
//
// Bound: an answer is remembered until ttl after the lookup that produced it *started*. A revocation
// committed at time r therefore reaches every request that starts after r + ttl: a lookup that began
// before r and answered "active" expires before r + ttl, and a lookup that began after r sees the
// revocation. "Not an active token" answers are remembered the same way, so a client repeating a bad
// token costs one query per ttl; a token issued after such an answer works at once (no one can have
// sent it before it existed).
//
// Size: at most entries_max answers. When full, expired answers are dropped; if it is still full, every
// answer is dropped (the next requests each query once more). A ttl of zero remembers nothing.
//
// Thread-safe: any worker thread may call get(); the lookup runs outside the lock, so two threads
// missing the same token at once both query.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "ledger/core/result.hpp"
#include "ledger/crypto/sha256.hpp"

namespace rxl::app {

class TokenCache {
public:
    using Clock = std::chrono::steady_clock;
    // The participant of the active token with this hash, nullopt when there is none; an error when the
    // question could not be answered (which is not remembered).
    using Lookup = std::function<Result<std::optional<std::string>>(const Hash& token_sha256)>;

    TokenCache(std::chrono::milliseconds ttl, std::size_t entries_max, std::function<Clock::time_point()> now = Clock::now);

    // The remembered answer for the hash, or lookup's answer (then remembered).
    Result<std::optional<std::string>> get(const Hash& token_sha256, const Lookup& lookup);
    std::size_t size() const;

private:
    struct Entry {
        std::optional<std::string> participant;
        Clock::time_point expires_at;
    };
    struct HashOfHash {
        // The hash is already uniformly random: its first bytes are a good bucket index.
        std::size_t operator()(const Hash& hash) const {
            std::size_t out = 0;
            std::memcpy(&out, hash.data(), sizeof out);
            return out;
        }
    };
    void remember(const Hash& token_sha256, std::optional<std::string> participant, Clock::time_point asked_at);

    const std::chrono::milliseconds ttl_;
    const std::size_t entries_max_;
    const std::function<Clock::time_point()> now_;
    mutable std::mutex mutex_;
    std::unordered_map<Hash, Entry, HashOfHash> entries_;
};

}  // namespace rxl::app
