// Every limit rxledger enforces, in one place, with its unit in its name.
//
// These are defaults; the server's configuration may lower or raise the ones marked "configurable"
// (see docs/configuration.md). Limits that define what is hashed or signed are not configurable: every
// node must agree on them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rxl::limits {

// --- HTTP (configurable) ---------------------------------------------------------------------------
// Largest request header block; Beast's own default is 8 KiB, which long bearer tokens can exceed.
inline constexpr std::size_t http_header_bytes_max = 16 * 1024;
// Largest request body. An EPCIS document of 10,000 unit events is about 1.2 MiB, so 8 MiB leaves room
// for verbose JSON-LD while keeping one request's memory bounded. Announced as
// GS1-EPCIS-Capture-File-Size-Limit.
inline constexpr std::size_t http_body_bytes_max = 8 * 1024 * 1024;
// A client must deliver a whole request (headers and body) within this time once it has started one:
// a slow client cannot hold a connection and a buffer forever (slowloris).
inline constexpr std::uint32_t http_request_timeout_ms = 15'000;
// A keep-alive connection with no request in flight is closed after this long.
inline constexpr std::uint32_t http_idle_timeout_ms = 60'000;
// Concurrent connections per node; past it new connections are closed at once.
inline constexpr std::size_t http_connections_max = 4096;
// How long a write request waits for its entry to be ordered and applied before answering 503.
inline constexpr std::uint32_t commit_wait_timeout_ms = 30'000;
// How long graceful shutdown waits for in-flight requests before closing connections.
inline constexpr std::uint32_t shutdown_grace_ms = 10'000;

// --- Authentication of reads (configurable) --------------------------------------------------------
// How long a node remembers what its database said about an API token (server/app/token_cache.hpp).
// A revoked token stops working at most this long after `rxledger token revoke` commits; in exchange a
// read costs a hash and a map look-up instead of a query. Configurable as token_cache_ms; 0 disables.
inline constexpr std::uint32_t api_token_cache_ms = 5'000;
// Tokens remembered at once. 65,536 answers of about 200 bytes each: ~13 MiB at most.
inline constexpr std::size_t api_token_cache_entries_max = 65'536;

// --- EPCIS capture (part of the ledger's rules: every node must agree) ------------------------------
// Events in one captured document. Announced as GS1-EPCIS-Capture-Limit.
inline constexpr std::size_t capture_events_max = 10'000;
// EPCs (units or containers) named by one event in all its lists together.
inline constexpr std::size_t event_epcs_max = 100'000;
// Depth of JSON nesting accepted in a document; deeper documents are refused before parsing further.
inline constexpr std::size_t json_depth_max = 32;
// Bytes in one JSON string or member name of any body the node parses (ledger/epcis/strict_json.hpp).
// A bound for every string no narrower limit covers: the longest legitimate ones are extension fields
// and sensor data of EPCIS events, far below it.
inline constexpr std::size_t json_string_bytes_max = 64 * 1024;
// Bytes of an EPCIS eventID, of a non-CBV bizStep, disposition, source or destination type or error
// reason URI, and of a certificationInfo URI: each is stored in a text column or compared as a key, and
// a URI longer than this is not one anybody types. Below PostgreSQL's btree entry limit (2,704 bytes),
// so any of them may be indexed.
inline constexpr std::size_t epcis_uri_bytes_max = 1024;

// --- GS1 ----------------------------------------------------------------------------------------------
inline constexpr std::size_t serial_chars_max = 20;  // AI (21)
inline constexpr std::size_t lot_chars_max = 20;     // AI (10)
inline constexpr std::size_t gln_digits = 13;        // AI (414), with its check digit

// --- Ledger -------------------------------------------------------------------------------------------
// Submissions applied in one PostgreSQL transaction (group commit). Larger batches amortise the fsync;
// smaller ones answer the first client sooner.
inline constexpr std::size_t apply_batch_submissions_max = 256;
// A lost database connection is retried (reconnect, then the batch applied again) after this long at
// first, doubling up to database_retry_max_ms: a database that restarts is back within seconds, and a
// node waiting for one costs it a connection attempt every few seconds.
inline constexpr std::uint32_t database_retry_first_ms = 100;
inline constexpr std::uint32_t database_retry_max_ms = 5'000;
// Submissions waiting to be ordered; past it writes get 503 rather than queue without bound.
inline constexpr std::size_t orderer_queue_submissions_max = 10'000;
// Participant and key identifiers.
inline constexpr std::size_t participant_id_chars_max = 64;
inline constexpr std::size_t key_id_chars_max = 64;

// --- Pack, recall and alert submissions (part of the ledger's rules: every node must agree) --------
// A decommission may be undone up to this long after it, by ordering time, inclusive (EMVS: 10 days).
// A `locked` unit has no limit.
inline constexpr std::int64_t undo_window_ms = 10LL * 86'400 * 1000;
// Lots named by one recall; a larger recall is a withdrawal of the GTIN, or several recalls.
inline constexpr std::size_t recall_lots_max = 1000;
// The free text of a recall's reason and of an alert's message.
inline constexpr std::size_t recall_reason_chars_max = 2000;
inline constexpr std::size_t alert_message_chars_max = 2000;
// The optional request_id of pack and recall bodies: a client's own id for one operation.
inline constexpr std::size_t request_id_chars_max = 64;
// An alert's EMVS hub code ("A3", "A24"): letters and digits.
inline constexpr std::size_t alert_emvs_code_chars_max = 8;

// --- Recall and alert reads (node-local answers, not ledger rules) ---------------------------------
// Items on one page of /v1/recalls, /v1/recalls/{id}/units and /v1/alerts when perPage is not given,
// and the most perPage may ask for.
inline constexpr std::size_t read_page_items_default = 100;
inline constexpr std::size_t read_page_items_max = 1000;
// Units read per database round trip while a recall's CSV export is assembled.
inline constexpr std::size_t recall_csv_chunk_units = 5000;

}  // namespace rxl::limits
