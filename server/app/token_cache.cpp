#include "server/app/token_cache.hpp"

namespace rxl::app {

TokenCache::TokenCache(std::chrono::milliseconds ttl, std::size_t entries_max, std::function<Clock::time_point()> now)
    : ttl_(ttl), entries_max_(entries_max), now_(std::move(now)) {
    RXL_ASSERT(ttl_.count() >= 0 && entries_max_ > 0);
}

Result<std::optional<std::string>> TokenCache::get(const Hash& token_sha256, const Lookup& lookup) {
    const auto asked_at = now_();
    {
        std::lock_guard lock(mutex_);
        auto found = entries_.find(token_sha256);
        if (found != entries_.end() && asked_at < found->second.expires_at) return found->second.participant;
    }
    auto answer = lookup(token_sha256);
    if (answer) remember(token_sha256, *answer, asked_at);
    return answer;
}

void TokenCache::remember(const Hash& token_sha256, std::optional<std::string> participant, Clock::time_point asked_at) {
    if (ttl_.count() == 0) return;
    const auto expires_at = asked_at + ttl_;
    std::lock_guard lock(mutex_);
    if (entries_.size() >= entries_max_ && !entries_.contains(token_sha256)) {
        const auto now = now_();
        std::erase_if(entries_, [now](const auto& item) { return item.second.expires_at <= now; });
        if (entries_.size() >= entries_max_) entries_.clear();
    }
    entries_.insert_or_assign(token_sha256, Entry{std::move(participant), expires_at});
}

std::size_t TokenCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace rxl::app
