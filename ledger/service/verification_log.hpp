// The node's verification log: every verification is recorded (who, where, what, the answer) without
// slowing the answer down. record() only queues; a background thread writes batches to PostgreSQL
// through its own connection. When the queue is full (the database is slow or down) records are
// dropped and counted rather than making a pharmacist wait.
//
// Any input is stored. A scan is whatever a client sent: bytes that are not UTF-8, NUL, a character cut
// by the handler's 512-byte limit. PostgreSQL refuses such text, and one refused row fails the COPY of its
// whole batch, so record() turns every text of a record into loggable_text() before it queues it. Should a
// batch still fail while the database answers, its records are written one by one and only those the
// database refuses are lost, counted by unstorable().
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ledger/store/store.hpp"

namespace rxl {

// `bytes` as text PostgreSQL stores as it is: valid UTF-8 without NUL, at most `text_bytes_max` bytes.
// Deterministic and reversible up to the cut: a valid UTF-8 character other than NUL and '\' is kept; '\'
// becomes "\\"; NUL and every byte that is not part of a valid character (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF) becomes "\xHH" (two upper-case hex digits). The text ends before
// the first character or escape that would pass text_bytes_max, so it is never cut inside either.
// When `cut_at_bytes` is nonzero and bytes.size() >= cut_at_bytes, the caller cut the input there: a
// character left incomplete at its end is the cut's doing, not the client's, and is left out.
std::string loggable_text(std::string_view bytes, std::size_t text_bytes_max, std::size_t cut_at_bytes = 0);

class VerificationLog {
public:
    static constexpr std::size_t queue_max = 100'000;
    static constexpr std::size_t batch_max = 2'000;
    // The longest a record waits in the queue when fewer than batch_max are waiting.
    static constexpr std::uint32_t writer_pause_ms = 100;
    // Handlers cut the scanned input to this many bytes before recording it (server/app/verify_handlers.cpp
    // logged_input_chars_max), possibly inside a character.
    static constexpr std::size_t input_bytes_max = 512;
    // The logged input's text: every byte of a 512-byte input escaped ("\xHH") still fits.
    static constexpr std::size_t input_text_bytes_max = 4 * input_bytes_max;
    // Every other text of a record (participant, location, GTIN, serial, lot, …): these are short when
    // the scan parsed, and only a hostile request makes them long.
    static constexpr std::size_t field_text_bytes_max = 512;

    // Starts the writer thread with its own connection.
    static Result<std::unique_ptr<VerificationLog>> open(const std::string& database);
    ~VerificationLog();

    // Queues the record with its texts made loggable (see above); never blocks on the database.
    void record(store::VerificationRecord record);
    // Writes what is queued and stops the writer.
    void stop();

    std::uint64_t written() const { return written_.load(); }
    // Records lost before the database saw them: the queue was full, or the database was unreachable.
    std::uint64_t dropped() const { return dropped_.load(); }
    // Records the database refused one by one while it took others: a fault of this code, never expected.
    std::uint64_t unstorable() const { return unstorable_.load(); }

private:
    explicit VerificationLog(std::unique_ptr<store::Store> store);
    void run();
    void write(const std::vector<store::VerificationRecord>& batch);
    void write_one_by_one(const std::vector<store::VerificationRecord>& batch);

    std::unique_ptr<store::Store> store_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::vector<store::VerificationRecord> queue_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> written_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> unstorable_{0};
    std::thread writer_;
};

}  // namespace rxl
