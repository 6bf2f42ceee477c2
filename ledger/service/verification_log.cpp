#include "ledger/service/verification_log.hpp"

#include <chrono>
#include <cstdio>

namespace rxl {
namespace {

// The length of the valid UTF-8 character (RFC 3629, table 3-7 of the Unicode standard) that starts at
// bytes[at], or 0 when none does. `truncated` is set when the bytes from `at` to the end are the valid
// beginning of a character that the end cuts short.
std::size_t character_length(std::string_view bytes, std::size_t at, bool& truncated) {
    truncated = false;
    const auto lead = static_cast<unsigned char>(bytes[at]);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char second_low = 0x80;  // the second byte's range narrows after some leads:
    unsigned char second_high = 0xBF;  // no overlong forms, no surrogates, nothing above U+10FFFF
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) second_low = 0xA0;
        if (lead == 0xED) second_high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) second_low = 0x90;
        if (lead == 0xF4) second_high = 0x8F;
    } else {
        return 0;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if (at + k >= bytes.size()) {
            truncated = true;
            return 0;
        }
        const auto next = static_cast<unsigned char>(bytes[at + k]);
        const unsigned char low = k == 1 ? second_low : 0x80;
        const unsigned char high = k == 1 ? second_high : 0xBF;
        if (next < low || next > high) return 0;
    }
    return length;
}

std::string field_text(const std::string& text) {
    return loggable_text(text, VerificationLog::field_text_bytes_max);
}

}  // namespace

std::string loggable_text(std::string_view bytes, std::size_t text_bytes_max, std::size_t cut_at_bytes) {
    static constexpr char hex_digits[] = "0123456789ABCDEF";
    std::string text;
    text.reserve(std::min(bytes.size(), text_bytes_max));
    std::size_t at = 0;
    while (at < bytes.size()) {
        bool truncated = false;
        std::size_t length = character_length(bytes, at, truncated);
        if (truncated && cut_at_bytes != 0 && bytes.size() >= cut_at_bytes) break;
        std::string piece;
        if (length == 0 || bytes[at] == '\0') {
            const auto byte = static_cast<unsigned char>(bytes[at]);
            piece = {'\\', 'x', hex_digits[byte >> 4], hex_digits[byte & 0x0F]};
            length = 1;
        } else if (bytes[at] == '\\') {
            piece = "\\\\";
        } else {
            piece = bytes.substr(at, length);
        }
        if (text.size() + piece.size() > text_bytes_max) break;
        text += piece;
        at += length;
    }
    return text;
}

Result<std::unique_ptr<VerificationLog>> VerificationLog::open(const std::string& database) {
    auto store = store::Store::connect(database);
    if (!store) return store.error();
    std::unique_ptr<VerificationLog> log(new VerificationLog(std::move(store).value()));
    log->writer_ = std::thread([raw = log.get()] { raw->run(); });
    return log;
}

VerificationLog::VerificationLog(std::unique_ptr<store::Store> store) : store_(std::move(store)) {}

VerificationLog::~VerificationLog() { stop(); }

void VerificationLog::record(store::VerificationRecord record) {
    // Made loggable here, on the caller's thread: a few hundred bytes each, and the queue then holds
    // only what the database takes.
    record.input = loggable_text(record.input, input_text_bytes_max, input_bytes_max);
    for (std::string* text : {&record.participant, &record.location, &record.channel, &record.gtin, &record.serial,
                              &record.lot, &record.expiry, &record.code}) {
        *text = field_text(*text);
    }
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= queue_max || stopping_) {
            ++dropped_;
            return;
        }
        queue_.push_back(std::move(record));
        // Waking the writer for every record would cost a thread switch per verification: it is woken
        // when a whole batch is waiting and otherwise picks records up every writer_pause_ms.
        if (queue_.size() != batch_max) return;
    }
    ready_.notify_one();
}

void VerificationLog::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    ready_.notify_one();
    if (writer_.joinable()) writer_.join();
}

void VerificationLog::run() {
    std::vector<store::VerificationRecord> batch;
    while (true) {
        {
            std::unique_lock lock(mutex_);
            ready_.wait_for(lock, std::chrono::milliseconds(writer_pause_ms), [&] { return stopping_ || queue_.size() >= batch_max; });
            if (queue_.empty() && !stopping_) continue;
            if (queue_.empty() && stopping_) return;
            std::size_t take = std::min(queue_.size(), batch_max);
            batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(take)));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
        }
        write(batch);
    }
}

void VerificationLog::write(const std::vector<store::VerificationRecord>& batch) {
    try {
        store_->write_verifications(batch);
        written_ += batch.size();
        return;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "rxledgerd: verification log: a batch of %zu records failed: %s\n", batch.size(), error.what());
    }
    // The log is not the ledger: losing records is reported and counted, never fatal. A database that
    // does not answer loses the batch (the queue is bounded and verifications keep coming); one that
    // answers refused something in it, and the rest must not be lost with it.
    if (!store_->ping()) {
        dropped_ += batch.size();
        std::fprintf(stderr, "rxledgerd: verification log: %zu records lost: the database does not answer\n", batch.size());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        return;
    }
    write_one_by_one(batch);
}

void VerificationLog::write_one_by_one(const std::vector<store::VerificationRecord>& batch) {
    for (std::size_t at = 0; at < batch.size(); ++at) {
        try {
            store_->write_verifications({batch[at]});
            ++written_;
        } catch (const std::exception& error) {
            if (!store_->ping()) {
                dropped_ += batch.size() - at;
                std::fprintf(stderr, "rxledgerd: verification log: %zu records lost: the database stopped answering\n",
                             batch.size() - at);
                return;
            }
            ++unstorable_;
            std::fprintf(stderr, "rxledgerd: verification log: the database refused a record (%s, %s): %s\n",
                         batch[at].channel.c_str(), batch[at].code.c_str(), error.what());
        }
    }
}

}  // namespace rxl
